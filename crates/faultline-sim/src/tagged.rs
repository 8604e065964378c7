//! Reading internally tagged enums without serde's buffered `Content`.
//!
//! The documents write a choice as an object with a `type` field beside the
//! chosen variant's own fields (`{"type": "exponential", "mean_ms": 5}`).
//! serde's derive reads such an enum (and an untagged one) by buffering the
//! object into its private `Content` tree and reading the variant from that:
//! every type below such an enum then gets a second copy of its reading code,
//! for `Content` instead of JSON text, and in the browser builds that was
//! about a third of the code that reads JSON (the engine's worker and the
//! page each carried both copies).
//!
//! Here the object is buffered as JSON text instead: its entries are read
//! and written back as text (`Text`), the tag is taken out
//! and checked against the variants, and the rest is read as the externally
//! tagged `{"<variant>": {...fields}}` by a mirror of the enum that serde
//! derives as usual. Everything is then read from JSON text by one copy of
//! the code. What a document means, and what a bad one is told, do not
//! change: the same messages (`missing field `type``, `unknown variant ...`
//! at the tag, a variant's own field errors) at the same place in the text
//! (a variant's errors, like serde's, where its enclosing object ends).
//!
//! `tagged_enum!` wraps the enum's definition, so the enum is written once;
//! the mirror and the reading are generated beside it. Unit variants read
//! like serde's: any other fields are ignored.

use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::fmt;

/// The field that names the variant, in every tagged enum of the documents.
pub(crate) const TAG: &str = "type";

/// Defines an internally tagged enum (`#[serde(tag = "type", rename_all =
/// "snake_case")]`, whose struct variants refuse unknown fields) with its
/// `Deserialize` read through JSON text (see the module's documentation).
/// The enum is written as usual, deriving `Serialize` but not
/// `Deserialize`.
macro_rules! tagged_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident { $($body:tt)* }
    ) => {
        $(#[$meta])*
        $vis enum $name { $($body)* }

        const _: () = {
            $crate::tagged::tagged_mirror! { $name [] [] $($body)* }
        };
    };
}
pub(crate) use tagged_enum;

/// `tagged_enum!`'s helper: one variant at a time, it collects the mirror's
/// variants and the arms that turn a mirror into the enum, then defines
/// them and the enum's `Deserialize`.
macro_rules! tagged_mirror {
    ($name:ident [$($variants:tt)*] [$($arms:tt)*]) => {
        /// The enum as serde reads it externally tagged (`{"<variant>": ...}`).
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "snake_case", deny_unknown_fields)]
        enum Mirror { $($variants)* }

        impl From<Mirror> for $name {
            fn from(m: Mirror) -> $name {
                match m { $($arms)* }
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<$name, D::Error> {
                $crate::tagged::read::<D, Mirror>(d, concat!("internally tagged enum ", stringify!($name)))
                    .map(<$name>::from)
            }
        }
    };
    // A struct variant.
    ($name:ident [$($variants:tt)*] [$($arms:tt)*]
        $(#[$vmeta:meta])* $v:ident { $( $(#[$fmeta:meta])* $f:ident : $t:ty ),* $(,)? } $(, $($rest:tt)*)?) => {
        $crate::tagged::tagged_mirror! { $name
            [$($variants)* $(#[$vmeta])* $v { $( $(#[$fmeta])* $f : $t ),* },]
            [$($arms)* Mirror::$v { $($f),* } => $name::$v { $($f),* },]
            $($($rest)*)?
        }
    };
    // A newtype variant.
    ($name:ident [$($variants:tt)*] [$($arms:tt)*]
        $(#[$vmeta:meta])* $v:ident ( $t:ty ) $(, $($rest:tt)*)?) => {
        $crate::tagged::tagged_mirror! { $name
            [$($variants)* $(#[$vmeta])* $v($t),]
            [$($arms)* Mirror::$v(x) => $name::$v(x),]
            $($($rest)*)?
        }
    };
    // A unit variant: whatever else the object holds is ignored, as serde does.
    ($name:ident [$($variants:tt)*] [$($arms:tt)*]
        $(#[$vmeta:meta])* $v:ident $(, $($rest:tt)*)?) => {
        $crate::tagged::tagged_mirror! { $name
            [$($variants)* $(#[$vmeta])* $v(serde::de::IgnoredAny),]
            [$($arms)* Mirror::$v(_) => $name::$v,]
            $($($rest)*)?
        }
    };
}
pub(crate) use tagged_mirror;

/// Reads a tagged enum through its externally tagged mirror `M`.
/// `expecting` is what serde says it wanted when the value is not an object
/// ("internally tagged enum Dist").
pub(crate) fn read<'de, D, M>(d: D, expecting: &'static str) -> Result<M, D::Error>
where
    D: Deserializer<'de>,
    M: DeserializeOwned,
{
    let buffered = d.deserialize_any(Buffer { expecting, variants: variants::<M>() })?;
    serde_json::from_str(&buffered.text).map_err(|e| rewrap(&e, &buffered.text))
}

/// The variant reader's error, for the reader of the whole document.
fn rewrap<E: de::Error>(e: &serde_json::Error, text: &str) -> E {
    match said(e, text) {
        Said::Found(found) => E::invalid_type(found, &"string or map"),
        Said::NotOneEntry => E::invalid_value(de::Unexpected::Map, &"map with a single key"),
        Said::Message(message) => E::custom(message),
    }
}

enum Said<'a> {
    Found(de::Unexpected<'a>),
    NotOneEntry,
    Message(String),
}

/// What to say of the variant reader's error (one copy for every enum).
#[inline(never)]
fn said<'a>(e: &serde_json::Error, text: &'a str) -> Said<'a> {
    // The buffered text is valid JSON: its reader's one syntax error is an
    // enum (`"eviction": null`) given what is neither a name nor an object,
    // which serde_json says as "expected value" where serde's `Content`
    // said what it found.
    if e.is_syntax() {
        let at = e.column().saturating_sub(1);
        if let Some(found) = found_at(text, at) {
            return Said::Found(found);
        }
        // An object of no or several entries where a variant's name is one.
        if matches!(text.as_bytes().get(at), Some(b'}' | b',')) {
            return Said::NotOneEntry;
        }
    }
    Said::Message(unplaced(e))
}

/// The value starting at byte `at` of the one-line `text`.
fn found_at(text: &str, at: usize) -> Option<de::Unexpected<'_>> {
    let rest = text.get(at..)?;
    let token = &rest[..rest.find([',', '}', ']']).unwrap_or(rest.len())];
    Some(match rest.as_bytes().first()? {
        b'n' => de::Unexpected::Unit,
        b't' => de::Unexpected::Bool(true),
        b'f' => de::Unexpected::Bool(false),
        b'[' => de::Unexpected::Seq,
        b'-' | b'0'..=b'9' => match serde_json::from_str::<serde_json::Number>(token).ok()? {
            n if n.is_u64() => de::Unexpected::Unsigned(n.as_u64()?),
            n if n.is_i64() => de::Unexpected::Signed(n.as_i64()?),
            n => de::Unexpected::Float(n.as_f64()?),
        },
        _ => return None,
    })
}

/// Reads an untagged enum: the value is read back as JSON text once, then
/// the first of `tries` that reads that text wins, or serde's message for
/// none.
pub(crate) fn untagged<'de, T, D: Deserializer<'de>>(
    d: D,
    name: &str,
    tries: &[fn(&str) -> Option<T>],
) -> Result<T, D::Error> {
    let mut text = String::new();
    de::DeserializeSeed::deserialize(Text(&mut text), d)?;
    tries
        .iter()
        .find_map(|read| read(&text))
        .ok_or_else(|| de::Error::custom(format_args!("data did not match any variant of untagged enum {name}")))
}

/// An error's message without the place in the buffered text (the reader of
/// the whole document says where it is, as it does for serde's `Content`).
fn unplaced(e: &serde_json::Error) -> String {
    let said = e.to_string();
    match said.rfind(" at line ") {
        Some(i) if e.line() > 0 => said[..i].to_string(),
        _ => said,
    }
}

/// The object read so far, as the externally tagged text
/// `{"<variant>": {...the other fields}}` (or `[...]` for the rare list form).
struct Buffered {
    text: String,
}

struct Buffer {
    expecting: &'static str,
    variants: &'static [&'static str],
}

impl Buffer {
    fn start(tag: &str, open: char) -> String {
        let mut text = String::from("{\"");
        text.push_str(tag);
        text.push_str("\":");
        text.push(open);
        text
    }
}

impl<'de> Visitor<'de> for Buffer {
    type Value = Buffered;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.expecting)
    }

    /// `{"type": "<variant>", ...}`, the tag anywhere among the fields.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Buffered, A::Error> {
        let mut tag: Option<&'static str> = None;
        let mut fields = String::new();
        while let Some(key) = map.next_key::<String>()? {
            if key == TAG {
                if tag.is_some() {
                    return Err(de::Error::duplicate_field(TAG));
                }
                tag = Some(map.next_value_seed(Tag(self.variants))?);
            } else {
                if !fields.is_empty() {
                    fields.push(',');
                }
                quote(&mut fields, &key);
                fields.push(':');
                map.next_value_seed(Text(&mut fields))?;
            }
        }
        let Some(tag) = tag else {
            return Err(de::Error::missing_field(TAG));
        };
        let mut text = Buffer::start(tag, '{');
        text.push_str(&fields);
        text.push_str("}}");
        Ok(Buffered { text })
    }

    /// `["<variant>", ...the fields in order]`, which serde reads too.
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Buffered, A::Error> {
        let Some(tag) = seq.next_element_seed(Tag(self.variants))? else {
            return Err(de::Error::missing_field(TAG));
        };
        let mut text = Buffer::start(tag, '[');
        let mut first = true;
        loop {
            let before = text.len();
            if !first {
                text.push(',');
            }
            if seq.next_element_seed(Text(&mut text))?.is_none() {
                text.truncate(before);
                break;
            }
            first = false;
        }
        text.push_str("]}");
        Ok(Buffered { text })
    }
}

/// Writes the value it reads back as JSON text. It reads through the
/// deserializer's own parsing (as serde's `Content` did), so broken JSON
/// inside the object is reported as it was; numbers keep their kind (`5`
/// stays an integer, `5.0` a float, every float its exact value) and
/// repeated fields stay repeated, for the variant's reader to refuse.
struct Text<'a>(&'a mut String);

impl<'de> de::DeserializeSeed<'de> for Text<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Text<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<(), E> {
        self.0.push_str(if v { "true" } else { "false" });
        Ok(())
    }

    fn visit_i64<E>(self, v: i64) -> Result<(), E> {
        self.0.push_str(&v.to_string());
        Ok(())
    }

    fn visit_u64<E>(self, v: u64) -> Result<(), E> {
        self.0.push_str(&v.to_string());
        Ok(())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        self.0.push_str(&serde_json::to_string(&v).map_err(E::custom)?);
        Ok(())
    }

    fn visit_str<E>(self, v: &str) -> Result<(), E> {
        quote(self.0, v);
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        self.0.push_str("null");
        Ok(())
    }

    fn visit_none<E>(self) -> Result<(), E> {
        self.0.push_str("null");
        Ok(())
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.0.push('[');
        let mut first = true;
        loop {
            let before = self.0.len();
            if !first {
                self.0.push(',');
            }
            if seq.next_element_seed(Text(self.0))?.is_none() {
                self.0.truncate(before);
                break;
            }
            first = false;
        }
        self.0.push(']');
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.0.push('{');
        let mut first = true;
        while let Some(key) = map.next_key::<String>()? {
            if !first {
                self.0.push(',');
            }
            first = false;
            quote(self.0, &key);
            self.0.push(':');
            map.next_value_seed(Text(self.0))?;
        }
        self.0.push('}');
        Ok(())
    }
}

/// `s` as a JSON string.
fn quote(out: &mut String, s: &str) {
    out.push_str(&serde_json::to_string(s).unwrap_or_default());
}

/// The tag's value: one of the variants' names (checked where it is written,
/// so an unknown one is reported there, as serde does).
struct Tag(&'static [&'static str]);

impl<'de> de::DeserializeSeed<'de> for Tag {
    type Value = &'static str;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<&'static str, D::Error> {
        d.deserialize_identifier(self)
    }
}

impl<'de> Visitor<'de> for Tag {
    type Value = &'static str;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("variant identifier")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<&'static str, E> {
        self.0.iter().find(|name| **name == v).copied().ok_or_else(|| E::unknown_variant(v, self.0))
    }
}

/// The variants' names of an externally tagged enum, as its derived
/// `Deserialize` hands them to the deserializer.
fn variants<'de, M: Deserialize<'de>>() -> &'static [&'static str] {
    match M::deserialize(Probe) {
        Err(Probed(names)) => names,
        Ok(_) => &[],
    }
}

/// A deserializer that only asks for an enum's variants.
struct Probe;

#[derive(Debug)]
struct Probed(&'static [&'static str]);

impl fmt::Display for Probed {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("not an enum")
    }
}

impl std::error::Error for Probed {}

impl de::Error for Probed {
    fn custom<T: fmt::Display>(_: T) -> Probed {
        Probed(&[])
    }
}

impl<'de> Deserializer<'de> for Probe {
    type Error = Probed;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Probed> {
        Err(Probed(&[]))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        variants: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Probed> {
        Err(Probed(variants))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use crate::dist::Dist;
    use crate::exercise::Metric;
    use crate::scenario::{NodeKind, Scale};

    fn err<T: serde::de::DeserializeOwned + std::fmt::Debug>(text: &str) -> String {
        serde_json::from_str::<T>(text).unwrap_err().to_string()
    }

    #[test]
    fn reads_the_tag_anywhere_and_the_variant_fields() {
        let d: Dist = serde_json::from_str(r#"{"mean_ms": 5, "type": "exponential"}"#).unwrap();
        assert_eq!(d, Dist::exponential(5.0));
        let d: Dist = serde_json::from_str(r#"["uniform", 1, 2.5]"#).unwrap();
        assert_eq!(d, Dist::Uniform { min_ms: 1.0, max_ms: 2.5 });
        // Unit variants ignore other fields, as serde's Content reading did.
        let m: Metric = serde_json::from_str(r#"{"type": "success_rate", "extra": [1]}"#).unwrap();
        assert_eq!(m, Metric::SuccessRate);
        let k: NodeKind = serde_json::from_str(r#"{"type": "service", "workers": 3}"#).unwrap();
        assert!(matches!(k, NodeKind::Service(c) if c.workers == 3));
    }

    #[test]
    fn says_what_serde_said_where_serde_said_it() {
        assert_eq!(err::<Dist>(r#"{"ms": 1}"#), "missing field `type` at line 1 column 9");
        assert_eq!(
            err::<Dist>(r#"{"type": "gauss", "ms": 1}"#),
            "unknown variant `gauss`, expected one of `constant`, `exponential`, `uniform`, `normal`, \
             `log_normal`, `percentiles` at line 1 column 16"
        );
        assert_eq!(
            err::<Dist>(r#"{"type": 3}"#),
            "invalid type: integer `3`, expected variant identifier at line 1 column 10"
        );
        assert_eq!(
            err::<Dist>(r#"{"type": "constant", "type": "constant"}"#),
            "duplicate field `type` at line 1 column 27"
        );
        assert_eq!(
            err::<Dist>(r#""constant""#),
            "invalid type: string \"constant\", expected internally tagged enum Dist at line 1 column 10"
        );
        // A variant's own errors are placed by the enclosing object's reader
        // (where it ends), so alone they have no place.
        assert_eq!(err::<Dist>(r#"{"type": "constant", "ms": "1"}"#), "invalid type: string \"1\", expected f64");
        assert_eq!(err::<Dist>(r#"{"type": "constant", "ms": 1, "sd": 2}"#), "unknown field `sd`, expected `ms`");
        assert_eq!(
            err::<NodeKind>(r#"{"type": "cache", "eviction": null}"#),
            "invalid type: null, expected string or map"
        );
        assert_eq!(
            err::<NodeKind>(r#"{"type": "cache", "eviction": {}}"#),
            "invalid value: map, expected map with a single key"
        );
        assert_eq!(err::<Scale>("true"), "data did not match any variant of untagged enum Scale");
    }

    #[test]
    fn keeps_numbers_and_text_exact() {
        let d: Dist =
            serde_json::from_str(r#"{"type": "constant", "ms": 0.1000000000000000055511151231257827}"#).unwrap();
        assert_eq!(d, Dist::constant(0.1));
        assert_eq!(
            err::<NodeKind>(r#"{"type": "service", "workers": 1.0}"#),
            "invalid type: floating point `1.0`, expected u32"
        );
        let s: Scale = serde_json::from_str(r#""2\u00355%""#).unwrap();
        assert_eq!(s, Scale::Percent("255%".into()));
    }
}

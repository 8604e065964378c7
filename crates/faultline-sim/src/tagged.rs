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
//! Here the object is buffered as JSON text instead: its entries are kept as
//! they were written (`serde_json::value::RawValue`), the tag is taken out
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
use serde_json::value::RawValue;
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
    serde_json::from_str(&buffered.text).map_err(|e| de::Error::custom(unplaced(&e)))
}

/// Reads any one JSON value as it was written, to try an untagged enum's
/// variants on.
pub(crate) fn raw<'de, D: Deserializer<'de>>(d: D) -> Result<Box<RawValue>, D::Error> {
    Box::<RawValue>::deserialize(d)
}

/// Reads an untagged enum: the first of `tries` that reads `raw`, or serde's
/// message for none.
pub(crate) fn untagged<T, E: de::Error>(raw: &RawValue, name: &str, tries: &[fn(&str) -> Option<T>]) -> Result<T, E> {
    tries
        .iter()
        .find_map(|read| read(raw.get()))
        .ok_or_else(|| E::custom(format_args!("data did not match any variant of untagged enum {name}")))
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
                let value: Box<RawValue> = map.next_value()?;
                if !fields.is_empty() {
                    fields.push(',');
                }
                fields.push_str(&serde_json::to_string(&key).map_err(de::Error::custom)?);
                fields.push(':');
                fields.push_str(value.get());
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
        while let Some(value) = seq.next_element::<Box<RawValue>>()? {
            if !first {
                text.push(',');
            }
            first = false;
            text.push_str(value.get());
        }
        text.push_str("]}");
        Ok(Buffered { text })
    }
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

# shellcheck shell=bash
# Sourced by the test scripts (never by serving): where the tests find the
# browser and its driver, and what to do when they are missing.
#
#   CHROMIUM      the browser Playwright launches (playwright.config.ts reads it)
#   CHROMEDRIVER  the driver wasm-bindgen's test runner starts for the wasm tests
#
# Set either to use your own; otherwise the usual places are tried. Both must
# be the same major version when the driver launches the same browser.
# bash 3.2 compatible (macOS).

first_executable() {
  local candidate
  for candidate in "$@"; do
    if [ -n "$candidate" ] && [ -x "$candidate" ]; then
      printf '%s\n' "$candidate"
      return 0
    fi
  done
  return 1
}

# Whether CHROMIUM was chosen by the user (then the wasm tests are pointed at
# it too) or found in a usual place (then the driver finds its own browser).
FAULTLINE_CHROMIUM_FROM_USER=
if [ -n "${CHROMIUM:-}" ]; then
  FAULTLINE_CHROMIUM_FROM_USER=1
else
  CHROMIUM=$(first_executable /usr/bin/chromium /usr/bin/chromium-browser \
    "/Applications/Chromium.app/Contents/MacOS/Chromium" \
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome" || true)
  CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
fi
if [ -z "${CHROMEDRIVER:-}" ]; then
  CHROMEDRIVER=$(first_executable /usr/bin/chromedriver "$(command -v chromedriver 2>/dev/null || true)" || true)
  CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
fi
export CHROMIUM CHROMEDRIVER FAULTLINE_CHROMIUM_FROM_USER

browsers_present() { [ -x "$CHROMIUM" ] && [ -x "$CHROMEDRIVER" ]; }

browsers_help() {
  cat >&2 <<EOF
The tests need Chromium (or Chrome) and a ChromeDriver of the same major version.
Looked for: CHROMIUM=$CHROMIUM and CHROMEDRIVER=$CHROMEDRIVER.
  Debian:       sudo apt-get install chromium chromium-driver   (scripts/setup.sh --test does this)
  Ubuntu:       GitHub's runners already have /usr/bin/chromium and /usr/bin/chromedriver;
                on a desktop: sudo snap install chromium, then
                CHROMIUM=/snap/bin/chromium CHROMEDRIVER=/snap/bin/chromium.chromedriver
  Fedora:       sudo dnf install chromium chromedriver
  Arch:         sudo pacman -S chromium   (it includes chromedriver)
  macOS:        Google Chrome (google.com/chrome) and brew install --cask chromedriver, of the
                same major version, are found by themselves; for Chromium instead set
                CHROMIUM=/Applications/Chromium.app/Contents/MacOS/Chromium
Then run the tests with those variables set, e.g.
  CHROMIUM=/path/to/chromium CHROMEDRIVER=/path/to/chromedriver ./scripts/test.sh
EOF
}

# wasm-bindgen's test runner lets the driver launch its default browser.
# When CHROMIUM was set by the user, this writes a capabilities file ($1) that
# hands it to the driver as well, so both test runners use the same browser.
point_wasm_tests_at_chromium() {
  if [ -n "$FAULTLINE_CHROMIUM_FROM_USER" ] && [ -z "${WASM_BINDGEN_TEST_WEBDRIVER_JSON:-}" ]; then
    printf '{ "goog:chromeOptions": { "binary": "%s" } }\n' "$CHROMIUM" > "$1"
    WASM_BINDGEN_TEST_WEBDRIVER_JSON="$1"
    export WASM_BINDGEN_TEST_WEBDRIVER_JSON
  fi
}

//! metadata.json: parsed as Go's `json.Decoder` would, and checked against
//! the importer's struct types (`facts::model`).

use serde_json::Value;

use crate::facts::model::{self, Struct, Ty};
use crate::lang::{quoted, Describe};
use crate::limits::{MAX_JSON_DEPTH, MAX_METADATA_NODES, MAX_TYPE_ERRORS};

#[derive(Debug, Clone, PartialEq)]
/// Why metadata.json does not parse as the importer's decoder reads it.
pub enum ParseError {
    /// A UTF-8 byte-order mark: Go fails on its first byte.
    Bom,
    /// Nothing but white space.
    Empty,
    /// A syntax error at `line`:`column` (from 1), with Go's message.
    Syntax {
        /// Its line.
        line: usize,
        /// Its column.
        column: usize,
        /// The decoder's message.
        message: Syntax,
    },
    /// The top level is an array, string, number or bool.
    NotObject(JsonKind),
    /// More values than [`MAX_METADATA_NODES`]: not parsed.
    TooManyValues(usize),
}

/// Parses the first JSON value of the document, as `json.Decoder.Decode`
/// does (anything after it is ignored). A top-level `null` decodes to an
/// empty template, so it is returned as an empty object.
pub fn parse(bytes: &[u8]) -> Result<Value, ParseError> {
    if bytes.starts_with(&[0xef, 0xbb, 0xbf]) {
        return Err(ParseError::Bom);
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ParseError::Empty);
    }
    let nodes = json_nodes(bytes);
    if nodes > MAX_METADATA_NODES {
        return Err(ParseError::TooManyValues(nodes));
    }
    let text = go_text(bytes);
    let mut values = serde_json::Deserializer::from_slice(&text).into_iter::<Value>();
    match values.next() {
        Some(Ok(Value::Object(map))) => Ok(Value::Object(map)),
        Some(Ok(Value::Null)) => Ok(Value::Object(Default::default())),
        Some(Ok(other)) => Err(ParseError::NotObject(JsonKind::of(&other))),
        Some(Err(e)) => Err(ParseError::Syntax { line: e.line(), column: e.column(), message: Syntax::of(&e) }),
        None => Err(ParseError::Empty),
    }
}

/// Text Go's decoder changes without an error: invalid UTF-8 and lone UTF-16
/// surrogates (`\ud800`) inside strings become U+FFFD.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replaced {
    /// At this byte offset.
    InvalidUtf8(usize),
    /// The `\u` escape at this byte offset.
    LoneSurrogate(usize),
}

/// The first place Go's decoder would replace with U+FFFD, if any.
pub fn replaced(bytes: &[u8]) -> Option<Replaced> {
    if let Err(e) = std::str::from_utf8(bytes) {
        return Some(Replaced::InvalidUtf8(e.valid_up_to()));
    }
    lone_surrogates(bytes).first().map(|&at| Replaced::LoneSurrogate(at))
}

/// The document as Go decodes it: invalid UTF-8 and lone surrogate escapes
/// replaced by U+FFFD (a surrogate's six-byte escape by `\ufffd`, so that
/// positions after it stay the same).
fn go_text(bytes: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    let mut text = match String::from_utf8_lossy(bytes) {
        std::borrow::Cow::Borrowed(_) => std::borrow::Cow::Borrowed(bytes),
        std::borrow::Cow::Owned(s) => std::borrow::Cow::Owned(s.into_bytes()),
    };
    let lone = lone_surrogates(&text);
    if !lone.is_empty() {
        let owned = text.to_mut();
        for at in lone {
            owned[at..at + 6].copy_from_slice(b"\\ufffd");
        }
    }
    text
}

/// Offsets of `\uXXXX` escapes inside strings that are surrogates without
/// their pair.
fn lone_surrogates(bytes: &[u8]) -> Vec<usize> {
    let unit = |at: usize| -> Option<u16> {
        let hex = bytes.get(at + 2..at + 6)?;
        (bytes.get(at..at + 2) == Some(b"\\u".as_slice())).then_some(())?;
        u16::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()
    };
    let (mut lone, mut in_string, mut i) = (Vec::new(), false, 0);
    while i < bytes.len() {
        match bytes[i] {
            b'"' => in_string = !in_string,
            b'\\' if in_string => {
                match unit(i) {
                    Some(0xd800..=0xdbff) if matches!(unit(i + 6), Some(0xdc00..=0xdfff)) => i += 6,
                    Some(0xd800..=0xdfff) => lone.push(i),
                    _ => {}
                }
                i += 1; // the escaped character
            }
            _ => {}
        }
        i += 1;
    }
    lone
}

/// An upper bound of the values a JSON text parses into: its `{`, `[`, `,`
/// and `:` outside strings, plus one. Counted before parsing, so that the
/// memory a document takes once parsed can be bounded from its text.
pub fn json_nodes(bytes: &[u8]) -> usize {
    let (mut nodes, mut in_string, mut escaped) = (1, false, false);
    for &b in bytes {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
        } else {
            match b {
                b'"' => in_string = true,
                b'{' | b'[' | b',' | b':' => nodes += 1,
                _ => {}
            }
        }
    }
    nodes
}

/// What is wrong with a JSON text, without its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Syntax {
    /// Nested deeper than [`MAX_JSON_DEPTH`].
    TooDeep,
    /// serde_json's message (without its position).
    Decoder(String),
}

impl Syntax {
    /// The fault of a serde_json error.
    pub fn of(e: &serde_json::Error) -> Syntax {
        let text = e.to_string();
        if text.starts_with("recursion limit exceeded") {
            return Syntax::TooDeep;
        }
        // serde_json appends " at line L column C"; the caller reports those itself.
        match text.rfind(" at line ") {
            Some(i) => Syntax::Decoder(text[..i].to_string()),
            None => Syntax::Decoder(text),
        }
    }
}

impl Describe for Syntax {
    fn en(&self) -> String {
        match self {
            Syntax::TooDeep => format!(
                "it is nested more than {MAX_JSON_DEPTH} levels deep, deeper than ramcheck reads (real documents nest a few levels)"
            ),
            Syntax::Decoder(m) => m.clone(),
        }
    }
    fn zh(&self) -> String {
        match self {
            Syntax::TooDeep => format!("嵌套超过 {MAX_JSON_DEPTH} 层，超出 ramcheck 读取的深度（真实文档只嵌套几层）"),
            Syntax::Decoder(m) => quoted(m),
        }
    }
}

/// What kind of JSON value a value is, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonKind {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool,
    /// A number.
    Number,
    /// A string.
    String,
    /// An array.
    Array,
    /// An object.
    Object,
}

impl JsonKind {
    /// The kind of `v`.
    pub fn of(v: &Value) -> JsonKind {
        match v {
            Value::Null => JsonKind::Null,
            Value::Bool(_) => JsonKind::Bool,
            Value::Number(_) => JsonKind::Number,
            Value::String(_) => JsonKind::String,
            Value::Array(_) => JsonKind::Array,
            Value::Object(_) => JsonKind::Object,
        }
    }
}

impl Describe for JsonKind {
    fn en(&self) -> String {
        match self {
            JsonKind::Null => "null",
            JsonKind::Bool => "a boolean",
            JsonKind::Number => "a number",
            JsonKind::String => "a string",
            JsonKind::Array => "an array",
            JsonKind::Object => "an object",
        }
        .into()
    }
    fn zh(&self) -> String {
        match self {
            JsonKind::Null => "null",
            JsonKind::Bool => "布尔值",
            JsonKind::Number => "数字",
            JsonKind::String => "字符串",
            JsonKind::Array => "数组",
            JsonKind::Object => "对象",
        }
        .into()
    }
}

/// The value a Go struct field receives from an object: the last key that
/// matches it (exactly or without regard to case).
pub fn get<'a>(obj: &'a Value, field: &str) -> Option<&'a Value> {
    let map = obj.as_object()?;
    map.iter().rev().find(|(k, _)| model::fold_eq(k, field)).map(|(_, v)| v)
}

/// A string field, `None` when absent, null or not a string.
pub fn get_str<'a>(obj: &'a Value, field: &str) -> Option<&'a str> {
    get(obj, field).and_then(Value::as_str)
}

/// A list field's elements (empty when absent, null or not a list).
pub fn get_list<'a>(obj: &'a Value, field: &str) -> &'a [Value] {
    get(obj, field).and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[])
}

/// `-0`, which serde_json reads as a float and Go's `strconv.ParseInt`
/// accepts as 0. (`-0.0` reads the same here, though Go refuses it.)
fn is_negative_zero(n: &serde_json::Number) -> bool {
    n.as_f64().is_some_and(|f| f == 0.0 && f.is_sign_negative())
}

/// A value Go's decoder refuses for the field's type.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeError {
    /// JSON path of the value, e.g. `apps[1].memory`.
    pub path: String,
    /// The Go type the field has.
    pub expected: GoType,
    /// The value found.
    pub found: Found,
}

/// The Go type of a field, as a message names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GoType {
    /// `string`.
    Str,
    /// `int`.
    Int,
    /// `int32`.
    Int32,
    /// `uint32`.
    Uint32,
    /// `bool`.
    Bool,
    /// A slice.
    List,
    /// A map.
    Map,
    /// A struct.
    Object,
}

impl Describe for GoType {
    fn en(&self) -> String {
        match self {
            GoType::Str => "a string",
            GoType::Int => "an integer",
            GoType::Int32 => "a 32-bit integer",
            GoType::Uint32 => "an integer from 0 to 4294967295",
            GoType::Bool => "true or false",
            GoType::List => "a list",
            GoType::Map => "an object (a map)",
            GoType::Object => "an object",
        }
        .into()
    }
    fn zh(&self) -> String {
        match self {
            GoType::Str => "字符串",
            GoType::Int => "整数",
            GoType::Int32 => "32 位整数",
            GoType::Uint32 => "0 到 4294967295 之间的整数",
            GoType::Bool => "布尔值 true 或 false",
            GoType::List => "列表（数组）",
            GoType::Map => "对象（键值映射）",
            GoType::Object => "对象",
        }
        .into()
    }
}

/// A JSON value as a message shows it: `the string "512"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// A string, quoted and cut to 40 characters.
    Str(String),
    /// A number as written.
    Number(String),
    /// `true` or `false`.
    Bool(bool),
    /// Any other value, by its kind.
    Other(JsonKind),
}

impl Found {
    /// How `value` is shown.
    pub fn of(value: &Value) -> Found {
        match value {
            Value::String(s) => Found::Str(quote(s, 40)),
            Value::Number(n) => Found::Number(n.to_string()),
            Value::Bool(b) => Found::Bool(*b),
            other => Found::Other(JsonKind::of(other)),
        }
    }
}

impl Describe for Found {
    fn en(&self) -> String {
        match self {
            Found::Str(s) => format!("the string {s}"),
            Found::Number(n) => format!("the number {n}"),
            Found::Bool(b) => format!("the boolean {b}"),
            Found::Other(kind) => kind.en(),
        }
    }
    fn zh(&self) -> String {
        match self {
            Found::Str(s) => format!("字符串 {s}"),
            Found::Number(n) => format!("数字 {n}"),
            Found::Bool(b) => format!("布尔值 {b}"),
            Found::Other(kind) => kind.zh(),
        }
    }
}

/// Every non-null value whose JSON type does not fit the importer's struct
/// (at most [`MAX_TYPE_ERRORS`]), plus the count of all of them.
pub fn type_errors(root: &Value) -> (Vec<TypeError>, usize) {
    let mut out = Vec::new();
    let mut count = 0;
    check_struct(root, &model::TEMPLATE, "", &mut out, &mut count);
    (out, count)
}

fn check_struct(value: &Value, ty: &Struct, path: &str, out: &mut Vec<TypeError>, count: &mut usize) {
    let Some(map) = value.as_object() else { return };
    for (key, v) in map {
        if let Some((name, field_ty)) = ty.field(key) {
            let sub = if path.is_empty() { name.to_string() } else { format!("{path}.{name}") };
            check(v, field_ty, &sub, out, count);
        }
    }
}

fn check(value: &Value, ty: &Ty, path: &str, out: &mut Vec<TypeError>, count: &mut usize) {
    if value.is_null() {
        return;
    }
    let expected = match (ty, value) {
        (Ty::Any, _) | (Ty::Str, Value::String(_)) | (Ty::Bool, Value::Bool(_)) => return,
        (Ty::Int, Value::Number(n)) if n.is_i64() || is_negative_zero(n) => return,
        (Ty::Int32, Value::Number(n)) if n.as_i64().is_some_and(|i| i32::try_from(i).is_ok()) || is_negative_zero(n) => return,
        (Ty::Uint32, Value::Number(n)) if n.as_u64().is_some_and(|i| u32::try_from(i).is_ok()) => return,
        (Ty::List(inner), Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                check(item, inner, &format!("{path}[{i}]"), out, count);
            }
            return;
        }
        (Ty::Map(inner), Value::Object(map)) => {
            for (k, v) in map {
                check(v, inner, &format!("{path}.{k}"), out, count);
            }
            return;
        }
        (Ty::Struct(s), Value::Object(_)) => return check_struct(value, s, path, out, count),
        (Ty::Str, _) => GoType::Str,
        (Ty::Int, _) => GoType::Int,
        (Ty::Int32, _) => GoType::Int32,
        (Ty::Uint32, _) => GoType::Uint32,
        (Ty::Bool, _) => GoType::Bool,
        (Ty::List(_), _) => GoType::List,
        (Ty::Map(_), _) => GoType::Map,
        (Ty::Struct(_), _) => GoType::Object,
    };
    *count += 1;
    if out.len() < MAX_TYPE_ERRORS {
        out.push(TypeError { path: path.to_string(), expected, found: Found::of(value) });
    }
}

/// A quoted string cut to `max` characters.
pub fn quote(s: &str, max: usize) -> String {
    if s.chars().count() > max {
        format!("\"{}…\"", s.chars().take(max).collect::<String>())
    } else {
        format!("\"{s}\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_only_the_first_value_like_go() {
        assert!(parse(b"{\"apps\":[]} trailing").is_ok());
        assert_eq!(parse(b"\xef\xbb\xbf{}"), Err(ParseError::Bom));
        assert_eq!(parse(b"  "), Err(ParseError::Empty));
        assert_eq!(parse(b"[1]"), Err(ParseError::NotObject(JsonKind::Array)));
        assert_eq!(parse(b"null"), Ok(json!({})));
        match parse(b"{\n  \"a\": ,\n}") {
            Err(ParseError::Syntax { line: 2, column: 8, .. }) => {}
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn type_errors_follow_the_go_structs() {
        let doc = json!({
            "apps": [
                {"memory": 512, "cpu": 0, "service_env_map_list": [{"container_port": 8080}]},
                {"memory": "512", "cpu": 0.5, "Labels": {"a": 1}, "unknown": true, "vm": null}
            ],
            "ingress_http_routes": [{"port": -1}],
            "annotations": {"x": "y"}
        });
        let (errors, count) = type_errors(&doc);
        let paths: Vec<_> = errors.iter().map(|e| (e.path.as_str(), e.expected)).collect();
        assert_eq!(count, 4);
        assert_eq!(
            paths,
            vec![
                ("apps[1].memory", GoType::Int),
                ("apps[1].cpu", GoType::Int),
                ("apps[1].labels.a", GoType::Str),
                ("ingress_http_routes[0].port", GoType::Uint32),
            ]
        );
        assert_eq!(errors[0].found.en(), "the string \"512\"");
    }

    #[test]
    fn keys_match_without_case_and_the_last_wins() {
        let doc: Value = serde_json::from_str(r#"{"Group_Name": "a", "group_name": "b"}"#).unwrap();
        assert_eq!(get_str(&doc, "group_name"), Some("b"));
    }
}

/// Paths of object keys that appear twice in the same object (Go keeps the
/// last; the user probably meant the first). At most `limit` are returned.
pub fn duplicate_keys(bytes: &[u8], limit: usize) -> Vec<String> {
    let mut found = Vec::new();
    let mut de = serde_json::Deserializer::from_slice(bytes);
    // A document that does not parse has no duplicates worth reporting: MET001 speaks.
    let _ = serde::de::DeserializeSeed::deserialize(Dups { path: String::new(), out: &mut found, limit }, &mut de);
    found
}

struct Dups<'a> {
    path: String,
    out: &'a mut Vec<String>,
    limit: usize,
}

impl<'de> serde::de::DeserializeSeed<'de> for Dups<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Dups<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JSON")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = std::collections::HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            let path = if self.path.is_empty() { key.clone() } else { format!("{}.{key}", self.path) };
            if !seen.insert(key) && self.out.len() < self.limit {
                self.out.push(path.clone());
            }
            map.next_value_seed(Dups { path, out: self.out, limit: self.limit })?;
        }
        Ok(())
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0;
        while seq.next_element_seed(Dups { path: format!("{}[{i}]", self.path), out: self.out, limit: self.limit })?.is_some() {
            i += 1;
        }
        Ok(())
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
}

#[cfg(test)]
mod duplicate_tests {
    #[test]
    fn finds_duplicate_keys_with_their_paths() {
        let doc = br#"{"a": 1, "apps": [{"memory": 1, "memory": 2}], "a": 3}"#;
        assert_eq!(super::duplicate_keys(doc, 10), vec!["apps[0].memory", "a"]);
        assert!(super::duplicate_keys(br#"{"a": {"b": 1}, "c": [1, 2]}"#, 10).is_empty());
    }
}

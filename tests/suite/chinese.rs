//! The Chinese texts are Chinese: no `message_zh` or `hint_zh` holds three or
//! more English words in a row outside code spans, quotes and paths. Every
//! report the catalog, the damage corpus and the limits tests build goes
//! through [`assert_chinese`] (or [`english_in_chinese`]); the tests here
//! pin down what counts as English.

use ramcheck::Report;

/// Runs of three or more English words in `text`, outside `code spans`,
/// "quoted strings" (ASCII or Chinese quotes) and paths or names (a token
/// with a digit or one of `/ . _ -` inside).
pub(crate) fn english_runs(text: &str) -> Vec<String> {
    let text = strip_spans(text);
    let mut runs = Vec::new();
    let mut run: Vec<&str> = Vec::new();
    let mut close = |run: &mut Vec<&str>| {
        if run.len() >= 3 {
            runs.push(run.join(" "));
        }
        run.clear();
    };
    for segment in text.split(|c: char| !c.is_ascii()) {
        for token in segment.split_ascii_whitespace() {
            let word = token.trim_matches(|c: char| "()[]{},;:!?<>'=+*&|#%@$^~\\".contains(c) || c == '"');
            let word = word.strip_suffix('.').unwrap_or(word);
            if word.is_empty() {
                continue;
            }
            // Bytes written in hex (`EF BB BF`) are not words.
            let is_byte = word.len() == 2 && word.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_lowercase());
            let is_word = !is_byte
                && word.starts_with(|c: char| c.is_ascii_alphabetic())
                && word.chars().all(|c| c.is_ascii_alphabetic() || c == '\'');
            if is_word {
                run.push(word);
            } else {
                close(&mut run);
            }
        }
        close(&mut run);
    }
    runs
}

/// `text` with its code spans and quoted strings replaced by a mark that
/// breaks a run of words.
fn strip_spans(text: &str) -> String {
    let pairs = [('`', '`'), ('"', '"'), ('“', '”'), ('「', '」')];
    let mut out = String::new();
    let mut rest = text;
    while let Some((at, open, close)) = pairs.iter().filter_map(|&(o, c)| rest.find(o).map(|i| (i, o, c))).min_by_key(|&(i, _, _)| i) {
        out.push_str(&rest[..at]);
        let after = &rest[at + open.len_utf8()..];
        match after.find(close) {
            Some(end) => {
                out.push('∎');
                rest = &after[end + close.len_utf8()..];
            }
            None => {
                out.push(open);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Every Chinese text of `r` with English in it: `CODE field: run ← text`.
pub(crate) fn english_in_chinese(r: &Report) -> Vec<String> {
    let mut found = Vec::new();
    for f in &r.findings {
        for (field, text) in [("message_zh", &f.message_zh), ("hint_zh", &f.hint_zh)] {
            for run in english_runs(text) {
                found.push(format!("{} {field}: \"{run}\" in {text}", f.code));
            }
        }
    }
    found
}

/// Fails when a Chinese text of `r` holds English.
pub(crate) fn assert_chinese(r: &Report) {
    let found = english_in_chinese(r);
    assert!(found.is_empty(), "English in Chinese texts of {}:\n{}", r.file, found.join("\n"));
}

#[test]
fn three_english_words_in_a_row_are_english() {
    assert_eq!(english_runs("安装包已损坏：the compressed stream ends early。"), vec!["the compressed stream ends early"]);
    assert_eq!(english_runs("由 tar header's checksum 引起"), vec!["tar header's checksum"]);
    assert_eq!(english_runs("Docker 25 之前的 docker load 会拒绝"), Vec::<String>::new());
    assert_eq!(english_runs("以字节序标记（EF BB BF，BOM）开头"), Vec::<String>::new());
}

#[test]
fn code_spans_quotes_and_paths_are_not_english() {
    let none = Vec::<String>::new();
    assert_eq!(english_runs("执行 `ramcheck fix app-1.0-ram.tar.gz` 即可"), none);
    assert_eq!(english_runs("导入会以 \"json: cannot unmarshal string into Go value\" 失败"), none);
    assert_eq!(english_runs("请选择以“rainbond app export file”格式导出的文件"), none);
    assert_eq!(english_runs("app-1.0-ram/metadata.json 和 plugin-images.tar 不在 blobs/sha256/ab 中"), none);
    assert_eq!(english_runs("含有 \"plugin 未闭合的引号 and some more words"), vec!["and some more words"]);
}

//! Whether `ramcheck fix` answers a rule's findings, declared on the rule;
//! and, for an error it leaves, why not: one reason each, in both languages.

use super::Text;
use crate::lang::Lang;

/// What a repair does with a rule's findings.
#[derive(Debug, Clone, Copy)]
pub enum Repairable {
    /// The repair answers them (the planner in `src/repair/plan.rs` says
    /// how); `unless` is the reason given for a finding it could not answer.
    Yes {
        /// Why a finding of the rule was left, when one was.
        unless: Text,
    },
    /// The repair never does: why.
    No(Text),
}

impl Repairable {
    /// Whether the repair answers the rule's findings.
    pub fn is_yes(self) -> bool {
        matches!(self, Repairable::Yes { .. })
    }

    /// One line for `--explain` and docs/rules.md: what the repair does, or
    /// why there is none.
    pub fn describe(self, lang: Lang) -> String {
        match (self, lang) {
            (Repairable::Yes { .. }, Lang::En) => "`ramcheck fix` (or the page's \"Repair and save\") writes a corrected package.".into(),
            (Repairable::Yes { .. }, Lang::Zh) => "`ramcheck fix`（或页面上的“修复并保存”）会写出修正后的安装包。".into(),
            (Repairable::No(why), Lang::En) => format!("none. {}", why.en),
            (Repairable::No(why), Lang::Zh) => format!("无。{}", why.zh),
        }
    }

    /// Why an error finding of the rule stays after a repair.
    pub fn reason(self) -> Text {
        match self {
            Repairable::Yes { unless } | Repairable::No(unless) => unless,
        }
    }
}

/// The bytes are missing or broken.
pub const CUT_OR_DAMAGED: Text = Text {
    en: "The package is cut short or damaged: the missing or broken bytes cannot be recreated. Copy it again from the source.",
    zh: "安装包被截断或已损坏：缺失或损坏的数据无法重建。请从源头重新复制。",
};

/// An image archive is damaged.
pub const DAMAGED_IMAGE_ARCHIVE: Text = Text {
    en: "The image archive is damaged: its missing or broken bytes cannot be recreated, and leaving it out would lose images.",
    zh: "镜像包已损坏：缺失或损坏的数据无法重建，去掉它又会丢失镜像。",
};

/// Data differs from its digest.
pub const DIGEST_MISMATCH: Text = Text {
    en: "A blob or layer differs from its digest: the data changed after the export and cannot be restored.",
    zh: "数据块或镜像层与摘要不符：数据在导出后已改变，无法恢复。",
};

/// Nothing in the upload is a package.
pub const NOT_A_PACKAGE: Text = Text {
    en: "This is not a gzip-compressed tar, a plain tar or a zip holding a package: there is nothing a repair can keep.",
    zh: "这不是包含安装包的 gzip 压缩 tar、普通 tar 或 zip：没有可供修复保留的内容。",
};

/// The fix would change metadata.json or the images.
pub const CHANGES_THE_APP: Text = Text {
    en: "Fixing it would change the application (metadata.json or its images), which a repair never does.",
    zh: "修复它需要改动应用本身（metadata.json 或镜像），修复功能从不这样做。",
};

/// The fix is the user's choice.
pub const NEEDS_A_DECISION: Text = Text {
    en: "It has no safe mechanical fix: the fix needs a decision only you can make.",
    zh: "它没有安全的自动修复方式：修复需要由你来决定。",
};

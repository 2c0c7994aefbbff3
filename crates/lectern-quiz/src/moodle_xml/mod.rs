//! Moodle XML support: so far the conversion of Moodle's HTML texts to the
//! model's plain text, which the GIFT importer uses for `[html]` texts.

pub(crate) mod html;

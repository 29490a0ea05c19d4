//! Single-document text formats: plain text and Markdown.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// The first non-empty line, trimmed: a text file's title.
pub(crate) fn first_line(text: &str) -> Option<String> {
    text.lines().map(str::trim).find(|l| !l.is_empty()).map(str::to_owned)
}

/// Markdown to plain text: syntax removed, link and emphasis text kept, images and raw HTML
/// dropped; headings, paragraphs, list items, table rows and code blocks each on their own
/// lines, blocks separated by a blank line. Returns the text and its first heading.
pub(crate) fn markdown(source: &str) -> (String, Option<String>) {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut out = String::with_capacity(source.len());
    let mut heading: Option<String> = None;
    let mut in_heading = false;
    let mut current_heading = String::new();
    let mut image_depth = 0usize;
    for event in Parser::new_ext(source, options) {
        match event {
            Event::Start(Tag::Image { .. }) => image_depth += 1,
            Event::End(TagEnd::Image) => image_depth = image_depth.saturating_sub(1),
            _ if image_depth > 0 => {}
            Event::Start(Tag::Heading { .. }) => {
                block_break(&mut out);
                in_heading = true;
                current_heading.clear();
            }
            Event::End(TagEnd::Heading(_)) => {
                in_heading = false;
                if heading.is_none() && !current_heading.trim().is_empty() {
                    heading = Some(current_heading.trim().to_owned());
                }
                block_break(&mut out);
            }
            Event::Start(
                Tag::Paragraph
                | Tag::BlockQuote(_)
                | Tag::CodeBlock(_)
                | Tag::List(_)
                | Tag::Table(_),
            )
            | Event::End(
                TagEnd::Paragraph
                | TagEnd::BlockQuote(_)
                | TagEnd::CodeBlock
                | TagEnd::List(_)
                | TagEnd::Table,
            )
            | Event::Rule => block_break(&mut out),
            Event::Start(Tag::Item | Tag::TableRow | Tag::TableHead) => line_break(&mut out),
            Event::End(TagEnd::TableCell) => out.push('\t'),
            Event::Text(t) | Event::Code(t) => {
                if in_heading {
                    current_heading.push_str(&t);
                }
                out.push_str(&t);
            }
            Event::SoftBreak => out.push(' '),
            Event::HardBreak => out.push('\n'),
            _ => {}
        }
    }
    let text = tidy(&out);
    (text, heading)
}

fn line_break(out: &mut String) {
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
}

fn block_break(out: &mut String) {
    line_break(out);
    if !out.is_empty() && !out.ends_with("\n\n") {
        out.push('\n');
    }
}

/// Trims trailing spaces of every line, squeezes runs of blank lines to one and trims the
/// ends.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = 0;
    for line in text.lines().map(str::trim_end) {
        if line.trim().is_empty() {
            blank += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank > 0 { "\n\n" } else { "\n" });
        }
        blank = 0;
        out.push_str(line);
    }
    out
}

/// Article paragraphs from extracted page text: every non-blank line trimmed, joined with a
/// blank line.
pub(crate) fn paragraphs(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_syntax_is_stripped_and_headings_kept() {
        let md = "# Summit in *Beijing*\n\nXi met [Putin](https://x.y) on\nMonday.\n\n\
                  ![photo](a.png)\n\n- first point\n- second `point`\n\n## Reaction\n\n> Quoted <b>text</b>.\n";
        let (text, heading) = markdown(md);
        assert_eq!(heading.as_deref(), Some("Summit in Beijing"));
        assert_eq!(
            text,
            "Summit in Beijing\n\nXi met Putin on Monday.\n\nfirst point\nsecond point\n\nReaction\n\nQuoted text."
        );
    }
}

//! Behaviour of `format_source`, each expectation checked against what
//! `terraform fmt` produces for the same input.

use super::*;

fn fmt(src: &str) -> String {
    match format_source(src) {
        Ok(out) => out,
        Err(err) => panic!("unexpected error for {src:?}: {err}"),
    }
}

fn error_offset(src: &str) -> usize {
    match format_source(src) {
        Ok(out) => panic!("expected an error for {src:?}, got {out:?}"),
        Err(err) => err.offset,
    }
}

#[test]
fn an_empty_file_stays_empty() {
    assert_eq!(fmt(""), "");
}

#[test]
fn an_attribute_gets_one_space_on_each_side_of_its_equals_sign() {
    assert_eq!(fmt("a=1\n"), "a = 1\n");
    assert_eq!(fmt("a    =     1\n"), "a = 1\n");
}

#[test]
fn consecutive_attributes_align_their_equals_signs() {
    assert_eq!(
        fmt("a = 1\nbbb = 2\ncc = 3\n"),
        "a   = 1\nbbb = 2\ncc  = 3\n"
    );
}

#[test]
fn a_blank_line_starts_a_new_alignment_run() {
    assert_eq!(fmt("a = 1\n\nbbb = 2\n"), "a = 1\n\nbbb = 2\n");
}

#[test]
fn a_comment_line_starts_a_new_alignment_run() {
    assert_eq!(fmt("a = 1\n# c\nbbb = 2\n"), "a = 1\n# c\nbbb = 2\n");
}

#[test]
fn a_multi_line_value_starts_a_new_alignment_run() {
    assert_eq!(
        fmt("a = 1\nlist = [\n1,\n]\nbbb = 2\nc = 3\n"),
        "a = 1\nlist = [\n  1,\n]\nbbb = 2\nc   = 3\n"
    );
}

#[test]
fn blocks_are_indented_by_two_spaces_per_level() {
    assert_eq!(
        fmt("a {\nb {\nc = 1\n}\n}\n"),
        "a {\n  b {\n    c = 1\n  }\n}\n"
    );
}

#[test]
fn block_headers_have_single_spaces_and_empty_blocks_are_braces() {
    assert_eq!(
        fmt("resource  \"a\"   \"b\"{ }\n"),
        "resource \"a\" \"b\" {}\n"
    );
}

#[test]
fn a_single_line_block_keeps_its_single_line() {
    assert_eq!(
        fmt("lifecycle{ignore_changes=[tags]}\n"),
        "lifecycle { ignore_changes = [tags] }\n"
    );
}

#[test]
fn objects_are_spaced_inside_their_braces_and_aligned_when_multi_line() {
    assert_eq!(fmt("a = {b=1}\n"), "a = { b = 1 }\n");
    assert_eq!(
        fmt("a = {\nb = 1\nccc = 2\n}\n"),
        "a = {\n  b   = 1\n  ccc = 2\n}\n"
    );
}

#[test]
fn lists_and_calls_lose_inner_padding_and_get_a_space_after_commas() {
    assert_eq!(fmt("a = [ 1,2 ]\n"), "a = [1, 2]\n");
    assert_eq!(fmt("a = f( x ,y )\n"), "a = f(x, y)\n");
    assert_eq!(fmt("a = f(x ...)\n"), "a = f(x...)\n");
}

#[test]
fn binary_operators_get_spaces_and_unary_ones_do_not() {
    assert_eq!(fmt("a = b+c*-d\n"), "a = b + c * -d\n");
    assert_eq!(fmt("a = ! b\n"), "a = !b\n");
    assert_eq!(fmt("a = - b\n"), "a = -b\n");
    assert_eq!(fmt("a = (- 2+1)\n"), "a = (-2 + 1)\n");
}

#[test]
fn conditionals_get_spaces_around_question_mark_and_colon() {
    assert_eq!(fmt("a = b?c:d\n"), "a = b ? c : d\n");
}

#[test]
fn for_expressions_get_spaces_around_their_keywords_and_colon() {
    assert_eq!(
        fmt("a = [for x in [1,2]: x*2 if x>1]\n"),
        "a = [for x in [1, 2] : x * 2 if x > 1]\n"
    );
    assert_eq!(
        fmt("a = {for k,v in m: k=>v...}\n"),
        "a = { for k, v in m : k => v... }\n"
    );
}

#[test]
fn traversals_indexes_and_splats_stay_tight() {
    assert_eq!(fmt("a = b . c [ 0 ] [*] . d\n"), "a = b.c[0][*].d\n");
}

#[test]
fn the_text_of_strings_numbers_and_comments_is_never_changed() {
    assert_eq!(
        fmt("a = \"  x  =  y  \" #   spaced   comment\nb = 1.50e+3\n"),
        "a = \"  x  =  y  \" #   spaced   comment\nb = 1.50e+3\n"
    );
}

#[test]
fn interpolations_lose_inner_padding_but_literal_text_is_kept() {
    assert_eq!(
        fmt("a = \"x ${ b } y ${~ c ~}\"\n"),
        "a = \"x ${b} y ${~c~}\"\n"
    );
}

#[test]
fn template_directives_are_tightened_like_hclwrite_does() {
    assert_eq!(
        fmt("a = \"%{ if b }c%{ endif }\"\n"),
        "a = \"%{if b}c%{endif}\"\n"
    );
}

#[test]
fn heredoc_bodies_are_untouched() {
    let src = "a = <<-EOT\n   keep   this  \n\tand this\n  EOT\n";
    assert_eq!(fmt(src), src);
}

#[test]
fn attributes_align_across_a_heredoc_like_terraform_does() {
    assert_eq!(
        fmt("a = 1\nlonger = <<EOT\nx\nEOT\nb = 2\n"),
        "a      = 1\nlonger = <<EOT\nx\nEOT\nb      = 2\n"
    );
}

#[test]
fn trailing_comments_are_aligned_within_a_run() {
    assert_eq!(
        fmt("a = 1 # one\nbbb = \"x\" # two\n"),
        "a   = 1   # one\nbbb = \"x\" # two\n"
    );
}

#[test]
fn all_three_comment_styles_are_kept() {
    let src = "# hash\n// slash\n/* block\n   comment */\na = 1 /* inline */\n";
    assert_eq!(fmt(src), src);
}

#[test]
fn trailing_whitespace_is_removed_from_lines() {
    assert_eq!(fmt("a = 1   \n  \nb = 2\t\n"), "a = 1\n\nb = 2\n");
}

#[test]
fn trailing_spaces_inside_a_line_comment_are_kept_as_terraform_keeps_them() {
    assert_eq!(fmt("a = 1 # note   \n"), "a = 1 # note   \n");
}

#[test]
fn tabs_used_for_indentation_become_spaces() {
    assert_eq!(fmt("a {\n\tb\t=\t1\n}\n"), "a {\n  b = 1\n}\n");
}

#[test]
fn blank_lines_and_the_end_of_file_are_kept_as_they_are() {
    assert_eq!(fmt("\n\na = 1\n\n\n\nb = 2"), "\n\na = 1\n\n\n\nb = 2");
}

#[test]
fn crlf_line_endings_are_kept() {
    assert_eq!(
        fmt("a=1\r\nbb = 2 # c\r\nd = <<EOT\r\nx\r\nEOT\r\n"),
        "a  = 1\r\nbb = 2 # c\r\nd  = <<EOT\r\nx\r\nEOT\r\n"
    );
}

#[test]
fn a_byte_order_mark_is_dropped() {
    assert_eq!(fmt("\u{feff}a=1\n"), "a = 1\n");
}

#[test]
fn closing_brackets_on_a_line_dedent_it() {
    assert_eq!(fmt("a = foo(\n1,\n2)\n"), "a = foo(\n  1,\n2)\n");
}

#[test]
fn brackets_opened_together_add_one_indentation_level() {
    assert_eq!(fmt("a = [[\n1\n]]\n"), "a = [[\n  1\n]]\n");
}

#[test]
fn a_lone_interpolation_value_is_unwrapped() {
    assert_eq!(fmt("a = \"${var.x}\"\n"), "a = var.x\n");
    assert_eq!(fmt("a = \"x${var.x}\"\n"), "a = \"x${var.x}\"\n");
}

#[test]
fn unwrapping_only_applies_to_block_attributes_not_object_items() {
    assert_eq!(fmt("a = { b = \"${c}\" }\n"), "a = { b = \"${c}\" }\n");
}

#[test]
fn unquoted_block_labels_are_quoted() {
    assert_eq!(
        fmt("resource aws_vpc main {\n}\n"),
        "resource \"aws_vpc\" \"main\" {\n}\n"
    );
}

#[test]
fn legacy_variable_types_are_modernised() {
    assert_eq!(
        fmt("variable \"v\" {\ntype = \"string\"\n}\n"),
        "variable \"v\" {\n  type = string\n}\n"
    );
    assert_eq!(
        fmt("variable \"v\" {\ntype = list\n}\n"),
        "variable \"v\" {\n  type = list(any)\n}\n"
    );
}

#[test]
fn provider_function_namespaces_are_kept_together() {
    assert_eq!(
        fmt("a = provider :: aws :: arn_parse( x )\n"),
        "a = provider::aws::arn_parse(x)\n"
    );
}

#[test]
fn unicode_names_are_aligned_by_their_character_count() {
    assert_eq!(fmt("é = 1\nnaïve = 2\n"), "é     = 1\nnaïve = 2\n");
}

#[test]
fn formatting_twice_changes_nothing_more() {
    let src = "a=\"${\"${b}\"}\"\nc = [\n1, # x\n2]\nd = \"${\ne ?\nf : g\n}\"\n";
    let once = fmt(src);
    assert_eq!(fmt(&once), once);
}

#[test]
fn a_syntax_error_reports_the_parser_offset() {
    assert_eq!(error_offset("a = 1\nb = = 2\n"), 10);
    let err = format_source("a = \n").err();
    assert!(err.is_some_and(|e| !e.message.is_empty()));
}

#[test]
fn an_unterminated_string_is_reported_where_the_line_ends() {
    assert_eq!(error_offset("a = \"abc\nb = 1\n"), 8);
}

#[test]
fn a_heredoc_without_its_closing_line_is_an_error() {
    assert_eq!(error_offset("a = <<EOT\nx\nEOT"), 4);
}

#[test]
fn a_stray_character_is_an_error_at_its_offset() {
    assert_eq!(error_offset("a = 1 ; b = 2\n"), 6);
    assert_eq!(error_offset("a = 1\rb = 2\n"), 5);
}

#[test]
fn a_nested_block_on_a_single_line_is_an_error() {
    assert!(format_source("a { b { c = 1 } }\n").is_err());
}

#[test]
fn error_offsets_count_the_byte_order_mark() {
    assert_eq!(error_offset("\u{feff}a = 1\nb = = 2\n"), 13);
}

#[test]
fn the_error_displays_its_message_and_offset() {
    let err = FormatError {
        message: "expected `=`".to_owned(),
        offset: 7,
    };
    assert_eq!(err.to_string(), "expected `=` (at byte 7)");
}

#[test]
fn an_object_repeating_a_key_is_formatted_like_terraform_does() {
    assert_eq!(
        fmt("a = {\nk = 1\nk = 2\n\"q\" = 3\n\"q\" = 4\n(x) = 5\n(x) = 6\n}\n"),
        "a = {\n  k   = 1\n  k   = 2\n  \"q\" = 3\n  \"q\" = 4\n  (x) = 5\n  (x) = 6\n}\n"
    );
}

#[test]
fn a_syntax_error_after_a_repeated_object_key_keeps_its_original_offset() {
    assert_eq!(error_offset("a = { k = 1, k = 2 }\nb = = 1\n"), 25);
}

#[test]
fn an_attribute_repeated_in_a_body_is_an_error() {
    assert_eq!(error_offset("a = 1\na = 2\n"), 6);
}

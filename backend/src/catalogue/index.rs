//! The in-memory search index over the workflow catalogue.
//!
//! Every entry's ID, group and description are split into lower-case words. Each word of a query
//! must match a word of the entry, in any field, as the whole word, as its beginning, or, for
//! query words of [`FUZZY_MIN_LEN`] letters or more, with one typo (a letter added, missing,
//! changed, or two neighbours swapped). Matches in the ID outrank matches in the group, which
//! outrank matches in the description; whole words outrank prefixes, which outrank typos.
//!
//! The vocabulary is kept sorted, so a prefix is a binary search and a range scan, and bucketed
//! by length, so a typo check only looks at words within one letter of the query word's length.

use std::collections::HashMap;

use model::catalogue::{GroupCount, WorkflowStatus, WorkflowSummary};

/// Query words at least this long tolerate one typo.
pub const FUZZY_MIN_LEN: usize = 5;

/// One catalogue entry as the index holds it.
#[derive(Debug, Clone)]
pub struct Entry {
    pub summary: WorkflowSummary,
    pub direction: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Field {
    Id,
    Group,
    Description,
}

impl Field {
    fn weight(self) -> u32 {
        match self {
            Self::Id => 3,
            Self::Group => 2,
            Self::Description => 1,
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum MatchKind {
    Whole,
    Prefix,
    Typo,
}

impl MatchKind {
    fn weight(self) -> u32 {
        match self {
            Self::Whole => 4,
            Self::Prefix => 2,
            Self::Typo => 1,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Posting {
    entry: u32,
    field: Field,
}

#[derive(Debug)]
struct Word {
    text: String,
    chars: Vec<char>,
    postings: Vec<Posting>,
}

/// The searchable catalogue: entries sorted by workflow ID, and a word index over them.
#[derive(Debug, Default)]
pub struct CatalogueIndex {
    entries: Vec<Entry>,
    by_id: HashMap<String, u32>,
    words: Vec<Word>,
    words_by_len: Vec<Vec<u32>>,
    groups: Vec<GroupCount>,
    group_of: Vec<u32>,
    acknowledged_by: HashMap<String, Vec<String>>,
}

/// Splits text into lower-case words of letters and digits.
pub fn words_of(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

impl CatalogueIndex {
    /// Builds the index. Entries are sorted by ID; `group_names` may list groups that have no
    /// entries yet.
    pub fn build(mut entries: Vec<Entry>, group_names: &[String]) -> Self {
        entries.sort_by(|a, b| a.summary.workflow_id.cmp(&b.summary.workflow_id));

        let mut group_counts: HashMap<&str, usize> =
            group_names.iter().map(|g| (g.as_str(), 0)).collect();
        for entry in &entries {
            *group_counts
                .entry(entry.summary.group.as_str())
                .or_default() += 1;
        }
        let mut groups: Vec<GroupCount> = group_counts
            .into_iter()
            .map(|(name, count)| GroupCount {
                name: name.to_owned(),
                count,
            })
            .collect();
        groups.sort_by_key(|g| g.name.to_lowercase());
        let group_position: HashMap<&str, u32> = groups
            .iter()
            .enumerate()
            .map(|(i, g)| (g.name.as_str(), i as u32))
            .collect();
        let group_of = entries
            .iter()
            .map(|e| group_position[e.summary.group.as_str()])
            .collect();

        let mut postings: HashMap<String, Vec<Posting>> = HashMap::new();
        for (i, entry) in entries.iter().enumerate() {
            let fields = [
                (Field::Id, entry.summary.workflow_id.as_str()),
                (Field::Group, entry.summary.group.as_str()),
                (Field::Description, entry.summary.description.as_str()),
            ];
            for (field, text) in fields {
                for word in words_of(text) {
                    let list = postings.entry(word).or_default();
                    // One posting per entry and word: the best field, which comes first.
                    if list.last().is_none_or(|p| p.entry != i as u32) {
                        list.push(Posting {
                            entry: i as u32,
                            field,
                        });
                    }
                }
            }
        }
        let mut words: Vec<Word> = postings
            .into_iter()
            .map(|(text, postings)| Word {
                chars: text.chars().collect(),
                text,
                postings,
            })
            .collect();
        words.sort_by(|a, b| a.text.cmp(&b.text));
        let mut words_by_len: Vec<Vec<u32>> = Vec::new();
        for (i, word) in words.iter().enumerate() {
            let len = word.chars.len();
            if words_by_len.len() <= len {
                words_by_len.resize(len + 1, Vec::new());
            }
            words_by_len[len].push(i as u32);
        }

        let mut acknowledged_by: HashMap<String, Vec<String>> = HashMap::new();
        for entry in &entries {
            if let Some(original) = &entry.summary.ack_of {
                acknowledged_by
                    .entry(original.clone())
                    .or_default()
                    .push(entry.summary.workflow_id.clone());
            }
        }
        let by_id = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.summary.workflow_id.clone(), i as u32))
            .collect();

        Self {
            entries,
            by_id,
            words,
            words_by_len,
            groups,
            group_of,
            acknowledged_by,
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every group with its number of entries, alphabetically.
    pub fn groups(&self) -> &[GroupCount] {
        &self.groups
    }

    /// The group of that name, compared case-insensitively, as its position in [`Self::groups`].
    pub fn group_position(&self, name: &str) -> Option<usize> {
        self.groups
            .iter()
            .position(|g| g.name.eq_ignore_ascii_case(name.trim()))
    }

    /// The entry with exactly this ID.
    pub fn get(&self, workflow_id: &str) -> Option<&Entry> {
        self.by_id
            .get(workflow_id)
            .map(|&i| &self.entries[i as usize])
    }

    /// The acknowledgement workflows that answer `workflow_id`.
    pub fn acknowledged_by(&self, workflow_id: &str) -> &[String] {
        self.acknowledged_by
            .get(workflow_id)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// The entry at a position returned by [`Self::search`].
    pub fn entry(&self, position: usize) -> &Entry {
        &self.entries[position]
    }

    /// The positions of the entries that match `query` (optionally within one group), best
    /// first. An empty query matches every entry, in ID order.
    pub fn search(&self, query: &str, group: Option<usize>) -> Vec<usize> {
        let in_group = |i: usize| group.is_none_or(|g| self.group_of[i] as usize == g);
        let mut terms: Vec<String> = words_of(query).collect();
        terms.sort();
        terms.dedup();
        if terms.is_empty() {
            return (0..self.entries.len()).filter(|&i| in_group(i)).collect();
        }

        let n = self.entries.len();
        let mut total = vec![0u32; n];
        let mut terms_matched = vec![0u16; n];
        let mut best = vec![0u32; n];
        let mut touched: Vec<u32> = Vec::new();
        for (t, term) in terms.iter().enumerate() {
            self.each_matching_word(term, |word, kind| {
                for posting in &word.postings {
                    let e = posting.entry as usize;
                    let score = kind.weight() * posting.field.weight();
                    if best[e] == 0 {
                        touched.push(posting.entry);
                    }
                    best[e] = best[e].max(score);
                }
            });
            for &e in &touched {
                let e = e as usize;
                if terms_matched[e] as usize == t {
                    terms_matched[e] += 1;
                    total[e] += best[e];
                }
                best[e] = 0;
            }
            touched.clear();
        }

        let wanted = terms.len() as u16;
        let whole_query_id = query.trim().to_uppercase();
        let mut hits: Vec<(u32, u32, bool, usize)> = (0..n)
            .filter(|&i| terms_matched[i] == wanted && in_group(i))
            .map(|i| {
                let id = &self.entries[i].summary.workflow_id;
                // An exact ID first; then, when what was typed looks like part of an ID (it has
                // an underscore), the IDs that start with it.
                let boost = if *id == whole_query_id {
                    2
                } else if whole_query_id.contains('_') && id.starts_with(&whole_query_id) {
                    1
                } else {
                    0
                };
                let active = self.entries[i].summary.status == WorkflowStatus::Active;
                (boost, total[i], active, i)
            })
            .collect();
        // Equal scores put active IDs before retired ones; entries are stored in ID order, so the
        // position breaks the remaining ties alphabetically.
        hits.sort_unstable_by(|a, b| {
            b.0.cmp(&a.0)
                .then(b.1.cmp(&a.1))
                .then(b.2.cmp(&a.2))
                .then(a.3.cmp(&b.3))
        });
        hits.into_iter().map(|(_, _, _, i)| i).collect()
    }

    /// Calls `visit` for each vocabulary word that `term` matches, with how it matches.
    fn each_matching_word(&self, term: &str, mut visit: impl FnMut(&Word, MatchKind)) {
        let start = self.words.partition_point(|w| w.text.as_str() < term);
        let mut prefixed = Vec::new();
        for (offset, word) in self.words[start..].iter().enumerate() {
            if !word.text.starts_with(term) {
                break;
            }
            let kind = if word.text == term {
                MatchKind::Whole
            } else {
                MatchKind::Prefix
            };
            prefixed.push(start + offset);
            visit(word, kind);
        }

        let term_chars: Vec<char> = term.chars().collect();
        if term_chars.len() < FUZZY_MIN_LEN {
            return;
        }
        let lengths = term_chars.len() - 1..=term_chars.len() + 1;
        for len in lengths {
            let Some(bucket) = self.words_by_len.get(len) else {
                continue;
            };
            for &w in bucket {
                let word = &self.words[w as usize];
                if prefixed.contains(&(w as usize)) {
                    continue;
                }
                if within_one_edit(&term_chars, &word.chars) {
                    visit(word, MatchKind::Typo);
                }
            }
        }
    }
}

/// Whether `a` becomes `b` with at most one edit: a character inserted, deleted or changed, or
/// two neighbouring characters swapped.
pub fn within_one_edit(a: &[char], b: &[char]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    match long.len() - short.len() {
        0 => {
            let differing: Vec<usize> = (0..short.len()).filter(|&i| short[i] != long[i]).collect();
            match differing.as_slice() {
                [] | [_] => true,
                [i, j] => *j == i + 1 && short[*i] == long[*j] && short[*j] == long[*i],
                _ => false,
            }
        }
        1 => {
            let first_difference = (0..short.len())
                .find(|&i| short[i] != long[i])
                .unwrap_or(short.len());
            short[first_difference..] == long[first_difference + 1..]
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, group: &str, description: &str) -> Entry {
        Entry {
            summary: WorkflowSummary {
                workflow_id: id.into(),
                group: group.into(),
                description: description.into(),
                status: WorkflowStatus::Active,
                hscn_only: false,
                test_first: false,
                ack_of: id.strip_suffix("_ACK").map(str::to_owned),
            },
            direction: String::new(),
        }
    }

    fn sample() -> CatalogueIndex {
        CatalogueIndex::build(
            vec![
                entry(
                    "CRDLGY_SCANS",
                    "Cardiology",
                    "Cardiac scan images and reports",
                ),
                entry(
                    "CRDLGY_SCANS_ACK",
                    "Cardiology",
                    "Acknowledgement of cardiac scans",
                ),
                entry(
                    "PATH_MEDRPT_V3",
                    "Pathology",
                    "Pathology results to GP practices",
                ),
                entry(
                    "GPFED_CONSULT_REPORT",
                    "GP Federation",
                    "Consultation report to the GP",
                ),
                entry("SCANSMITH_EXAMPLE", "Radiology", "Example: radiology scans"),
            ],
            &["Empty group".to_owned()],
        )
    }

    fn ids(index: &CatalogueIndex, query: &str) -> Vec<String> {
        index
            .search(query, None)
            .into_iter()
            .map(|i| index.entry(i).summary.workflow_id.clone())
            .collect()
    }

    #[test]
    fn finds_an_id_by_its_beginning() {
        assert_eq!(ids(&sample(), "CRDL"), ["CRDLGY_SCANS", "CRDLGY_SCANS_ACK"]);
    }

    #[test]
    fn matches_whole_words_in_any_case() {
        assert_eq!(ids(&sample(), "pathology"), ["PATH_MEDRPT_V3"]);
        assert_eq!(ids(&sample(), "PATHOLOGY Results"), ["PATH_MEDRPT_V3"]);
    }

    #[test]
    fn tolerates_one_typo_in_long_words() {
        assert_eq!(
            ids(&sample(), "cardiolgy"),
            ["CRDLGY_SCANS", "CRDLGY_SCANS_ACK"]
        );
        assert_eq!(
            ids(&sample(), "patholgoy"),
            ["PATH_MEDRPT_V3"],
            "swapped letters"
        );
    }

    #[test]
    fn does_not_tolerate_typos_in_short_words() {
        let mut found = ids(&sample(), "scnas");
        found.sort();
        assert_eq!(
            found,
            ["CRDLGY_SCANS", "CRDLGY_SCANS_ACK", "SCANSMITH_EXAMPLE"],
            "five letters: one typo allowed"
        );
        assert!(
            ids(&sample(), "reprot").len() == 1,
            "six letters: one typo allowed"
        );
        assert!(
            ids(&sample(), "gpx").is_empty(),
            "three letters: no typo allowed"
        );
        assert!(
            ids(&sample(), "scna").is_empty(),
            "four letters: no typo allowed"
        );
    }

    #[test]
    fn requires_every_query_word() {
        assert_eq!(
            ids(&sample(), "cardiac acknowledgement"),
            ["CRDLGY_SCANS_ACK"]
        );
        assert!(ids(&sample(), "cardiac pathology").is_empty());
    }

    #[test]
    fn ranks_the_exact_id_first() {
        assert_eq!(ids(&sample(), "CRDLGY_SCANS")[0], "CRDLGY_SCANS");
        assert_eq!(ids(&sample(), "crdlgy_scans_ack")[0], "CRDLGY_SCANS_ACK");
    }

    #[test]
    fn ranks_id_matches_above_description_matches() {
        let found = ids(&sample(), "scans");
        assert_eq!(
            found,
            ["CRDLGY_SCANS", "CRDLGY_SCANS_ACK", "SCANSMITH_EXAMPLE"]
        );
        assert_eq!(ids(&sample(), "GPFED_CON"), ["GPFED_CONSULT_REPORT"]);
    }

    #[test]
    fn ranks_retired_ids_after_active_ones_of_equal_score() {
        let mut retired = entry("AAA_OLD_SCANS", "Radiology", "Old scans");
        retired.summary.status = WorkflowStatus::Retired;
        let index = CatalogueIndex::build(
            vec![retired, entry("ZZZ_NEW_SCANS", "Radiology", "New scans")],
            &[],
        );
        assert_eq!(ids(&index, "scans"), ["ZZZ_NEW_SCANS", "AAA_OLD_SCANS"]);
        assert_eq!(
            ids(&index, "AAA_OLD_SCANS")[0],
            "AAA_OLD_SCANS",
            "an exact ID still wins"
        );
    }

    #[test]
    fn filters_by_group_and_lists_empty_groups() {
        let index = sample();
        let cardiology = index.group_position("cardiology").unwrap();
        let found = index.search("", Some(cardiology));
        assert_eq!(found.len(), 2);
        let empty = index.group_position("Empty group").unwrap();
        assert_eq!(index.groups()[empty].count, 0);
        assert!(index.search("", Some(empty)).is_empty());
    }

    #[test]
    fn knows_acknowledgement_pairs() {
        assert_eq!(
            sample().acknowledged_by("CRDLGY_SCANS"),
            ["CRDLGY_SCANS_ACK"]
        );
        assert!(sample().acknowledged_by("PATH_MEDRPT_V3").is_empty());
    }

    #[test]
    fn counts_edits_correctly() {
        let c = |s: &str| s.chars().collect::<Vec<_>>();
        let cases = [
            ("cardiology", "cardiology", true),
            ("cardiolgy", "cardiology", true),
            ("cardiologgy", "cardiology", true),
            ("cardiolpgy", "cardiology", true),
            ("cardiloogy", "cardiology", true),
            ("cardolgy", "cardiology", false),
            ("xardiolpgy", "cardiology", false),
            ("abc", "abcde", false),
        ];
        for (a, b, expected) in cases {
            assert_eq!(within_one_edit(&c(a), &c(b)), expected, "{a} vs {b}");
        }
    }
}

//! The applications service: the submission of a finished application in one transaction with
//! its emails ([`submit`]), the applicant's answer to a question ([`questions`]) and the status
//! page's lookup ([`status`]). [`pages`] is the edge: the answers kept in the browser session
//! while an applicant moves between question pages, and the page each post leads to.

pub mod emails;
pub mod pages;
pub mod questions;
pub mod status;
pub mod submit;

use rand::Rng;

use model::applications::{ApplicationKind, REFERENCE_ALPHABET, REFERENCE_RANDOM_LEN, Reference};

/// A fresh, unguessable reference of `kind`, drawn from the operating system's random source.
/// Uniqueness is the database's to enforce: a submission that meets a taken reference draws again.
pub fn new_reference(kind: ApplicationKind) -> Reference {
    let mut rng = rand::rng();
    let indexes: [usize; REFERENCE_RANDOM_LEN] =
        std::array::from_fn(|_| rng.random_range(0..REFERENCE_ALPHABET.len()));
    Reference::from_indexes(kind, indexes)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn draws_distinct_references_that_read_back() {
        let drawn: Vec<Reference> = (0..10_000)
            .map(|_| new_reference(ApplicationKind::Mailbox))
            .collect();
        let distinct: HashSet<&Reference> = drawn.iter().collect();
        assert_eq!(distinct.len(), drawn.len());
        for reference in &drawn {
            assert_eq!(&Reference::parse(reference.as_str()).unwrap(), reference);
            assert!(reference.as_str().starts_with("MBX-"));
        }
    }

    #[test]
    fn uses_every_character_of_the_alphabet() {
        let seen: HashSet<char> = (0..2_000)
            .flat_map(|_| {
                new_reference(ApplicationKind::Account).as_str()[4..]
                    .chars()
                    .collect::<Vec<_>>()
            })
            .filter(|c| *c != '-')
            .collect();
        assert_eq!(seen.len(), REFERENCE_ALPHABET.len());
    }
}

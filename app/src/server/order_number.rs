//! The number customers quote for an order: `ORD-` and digits. Kept in
//! one place because search relies on its shape: text that no number can
//! hold is looked for in titles only.

const PREFIX: &str = "ORD-";

/// The number of the order with this id: six digits or more, so never one
/// of the demo data's four-digit numbers.
pub fn of(id: i64) -> String {
    format!("{PREFIX}{}", 100_000 + id)
}

/// Whether some order number could hold `text`, compared without case:
/// a piece of the prefix, then digits only.
pub fn could_hold(text: &str) -> bool {
    let text = text.to_ascii_lowercase();
    let prefix = PREFIX.to_ascii_lowercase();
    let digits_from = text
        .find(|c: char| c.is_ascii_digit())
        .unwrap_or(text.len());
    let (letters, digits) = text.split_at(digits_from);
    digits.bytes().all(|byte| byte.is_ascii_digit())
        && if digits.is_empty() {
            prefix.contains(letters)
        } else {
            prefix.ends_with(letters)
        }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_never_meet_the_demo_numbers() {
        assert_eq!(of(29), "ORD-100029");
        assert_eq!(of(1), "ORD-100001");
    }

    #[test]
    fn only_pieces_of_a_number_could_be_held_by_one() {
        for piece in [
            "ORD-100029",
            "ord-1",
            "rd-10",
            "D-1",
            "-100",
            "100029",
            "ord",
            "rd-",
            "Or",
        ] {
            assert!(of(29).to_lowercase().contains(&piece.to_lowercase()));
            assert!(could_hold(piece), "{piece}");
        }
        for text in [
            "parcel 4242",
            "ORD 1",
            "ord-1a",
            "1-2",
            "ORD-ORD-1",
            "x12",
            "12-",
            "d1",
            "Ørd-1",
        ] {
            assert!(!could_hold(text), "{text}");
        }
    }
}

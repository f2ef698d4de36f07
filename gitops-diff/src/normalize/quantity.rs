//! Kubernetes resource quantities (`resource.Quantity`) compared by value: `0.2` = `200m`,
//! `1Gi` = `1073741824`, `1000m` = `1`.

/// The value of a quantity in nano-units (10^-9), or `None` when `text` is not a quantity or the
/// value does not fit (such values are then compared as text).
///
/// Grammar (apimachinery `resource.ParseQuantity`): an optional sign, decimal digits with an
/// optional fraction, then a binary suffix (`Ki`..`Ei`), a decimal suffix (`n`, `u`, `m`, ``, `k`,
/// `M`, `G`, `T`, `P`, `E`) or a decimal exponent (`e3`, `E-2`).
pub(crate) fn nanos(text: &str) -> Option<i128> {
    let text = text.trim();
    let (negative, rest) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let number_end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(rest.len());
    let (number, suffix) = rest.split_at(number_end);
    if number.is_empty() || number == "." || number.matches('.').count() > 1 {
        return None;
    }
    let (int_part, frac_part) = number.split_once('.').unwrap_or((number, ""));
    let mut mantissa: i128 = 0;
    for c in int_part.bytes().chain(frac_part.bytes()) {
        mantissa = mantissa.checked_mul(10)?.checked_add(i128::from(c - b'0'))?;
    }
    let mut exp10: i32 = 9 - i32::try_from(frac_part.len()).ok()?;
    let mut exp2: u32 = 0;
    match suffix {
        "" => {}
        "n" => exp10 -= 9,
        "u" => exp10 -= 6,
        "m" => exp10 -= 3,
        "k" => exp10 += 3,
        "M" => exp10 += 6,
        "G" => exp10 += 9,
        "T" => exp10 += 12,
        "P" => exp10 += 15,
        "E" => exp10 += 18,
        "Ki" => exp2 = 10,
        "Mi" => exp2 = 20,
        "Gi" => exp2 = 30,
        "Ti" => exp2 = 40,
        "Pi" => exp2 = 50,
        "Ei" => exp2 = 60,
        s if s.starts_with(['e', 'E']) => exp10 += s[1..].parse::<i32>().ok()?,
        _ => return None,
    }
    let mut value = mantissa.checked_mul(1_i128.checked_shl(exp2)?)?;
    if exp10 >= 0 {
        value = value.checked_mul(10_i128.checked_pow(u32::try_from(exp10).ok()?)?)?;
    } else {
        let divisor = 10_i128.checked_pow(exp10.unsigned_abs())?;
        if value % divisor != 0 {
            return None;
        }
        value /= divisor;
    }
    Some(if negative { -value } else { value })
}

/// Whether two JSON values (strings or numbers) denote the same quantity.
pub(crate) fn equal(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    let text = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    match (text(a), text(b)) {
        (Some(a), Some(b)) => a == b || matches!((nanos(&a), nanos(&b)), (Some(x), Some(y)) if x == y),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_values_in_different_notations() {
        assert_eq!(nanos("0.2"), nanos("200m"));
        assert_eq!(nanos("1Gi"), nanos("1073741824"));
        assert_eq!(nanos("1000m"), nanos("1"));
        assert_eq!(nanos("1e3"), nanos("1k"));
        assert_eq!(nanos("0"), Some(0));
        assert_ne!(nanos("1G"), nanos("1Gi"));
        assert_eq!(nanos("-1"), Some(-1_000_000_000));
        for bad in ["", "abc", "1.2.3", "1X", ".", "1e", "5Zi"] {
            assert_eq!(nanos(bad), None, "{bad:?}");
        }
    }
}

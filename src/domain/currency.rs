//! Which three-letter words are currencies: the active ISO 4217 codes. A unit word such as `pts`
//! or `ops` is a count of something, not money, so "three letters" alone no longer makes a
//! currency (`docs/update-grammar.md`, "Units").

/// The active ISO 4217 currency codes people keep accounts in (2025 list; fund codes, precious
/// metals and test codes left out). `ANG` stays while it is being replaced by `XCG`.
const ISO_4217: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD",
    "CDF", "CHF", "CLP", "CNY", "COP", "CRC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD",
    "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ",
    "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD",
    "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR",
    "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR",
    "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN",
    "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR",
    "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB",
    "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS",
    "VED", "VES", "VND", "VUV", "WST", "XAF", "XCD", "XCG", "XOF", "XPF", "YER", "ZAR", "ZMW",
    "ZWG",
];

/// `code` in upper case if it is an ISO 4217 currency code, in any case.
pub fn iso_code(code: &str) -> Option<&'static str> {
    if code.len() != 3 {
        return None;
    }
    let upper = code.to_ascii_uppercase();
    ISO_4217
        .binary_search(&upper.as_str())
        .ok()
        .map(|i| ISO_4217[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_sorted_so_binary_search_finds_every_code() {
        assert!(ISO_4217.windows(2).all(|w| w[0] < w[1]));
        assert!(ISO_4217.iter().all(|c| iso_code(c) == Some(*c)));
    }

    #[test]
    fn currency_codes_are_read_in_any_case_and_other_words_are_not_currencies() {
        assert_eq!(iso_code("usd"), Some("USD"));
        assert_eq!(iso_code("Chf"), Some("CHF"));
        for word in ["pts", "ops", "NPS", "abc", "US", "USDT", "é€$"] {
            assert_eq!(iso_code(word), None, "{word}");
        }
    }
}

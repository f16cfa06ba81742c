// HTTP-date parsing (RFC 9110 §5.6.7) for Retry-After, without libcurl.
//
// parse_retry_after used libcurl's curl_getdate, which made a 429 reply on
// the native plain-http path load libcurl and its ~25 libraries just to read
// a date. Servers send IMF-fixdate; RFC 9110 also requires recipients to
// accept the obsolete RFC 850 and asctime forms, so all three are parsed.
#pragma once

#include <optional>
#include <string_view>

namespace bastion::http {

// Seconds since the Unix epoch (UTC) of an HTTP-date:
//   IMF-fixdate  "Sun, 06 Nov 1994 08:49:37 GMT"
//   RFC 850      "Sunday, 06-Nov-94 08:49:37 GMT"  (two-digit years < 70 are 20xx)
//   asctime      "Sun Nov  6 08:49:37 1994"
// nullopt for anything else (wrong names, out-of-range fields, trailing junk).
std::optional<long long> parse_http_date(std::string_view text);

}  // namespace bastion::http

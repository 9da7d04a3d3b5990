using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Amazon.Runtime;
using Amazon.Runtime.Internal.Auth;
using Amazon.Util;

namespace BackupIam.Engine.Aws.Iam
{
    /// <summary>
    /// SigV4 header signing for a plain HTTP request. The canonical request is assembled here (AWSSDK.Core's own
    /// canonicalisation needs an SDK pipeline request); hashing, signing-key derivation, string-to-sign and the
    /// Authorization header come from AWSSDK.Core's <see cref="AWS4Signer"/> static helpers.
    /// </summary>
    internal static class SigV4
    {
        /// <summary>Formats <paramref name="signedAt"/> the way the <c>X-Amz-Date</c> header wants it.</summary>
        public static string FormatAmzDate(DateTime signedAt)
        {
            return signedAt.ToUniversalTime().ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        }

        /// <summary>The Host header value for a URI (port only when not the scheme default).</summary>
        public static string HostHeader(Uri uri)
        {
            return uri.IsDefaultPort ? uri.Host : uri.Host + ":" + uri.Port.ToString(CultureInfo.InvariantCulture);
        }

        /// <summary>
        /// Returns the Authorization header value. <paramref name="headers"/> must already hold every header to sign
        /// (host, x-amz-date, content-type, x-amz-security-token); names are matched case-insensitively.
        /// </summary>
        public static string Sign(
            ImmutableCredentials credentials, string region, string service, DateTime signedAt, string method, Uri uri,
            IEnumerable<KeyValuePair<string, string>> headers, byte[] body)
        {
            var sorted = headers
                .Select(h => new KeyValuePair<string, string>(h.Key.ToLowerInvariant(), CollapseSpaces(h.Value.Trim())))
                .OrderBy(h => h.Key, StringComparer.Ordinal)
                .ToList();
            string signedHeaders = string.Join(";", sorted.Select(h => h.Key));
            var canonical = new StringBuilder();
            canonical.Append(method.ToUpperInvariant()).Append('\n');
            canonical.Append(string.IsNullOrEmpty(uri.AbsolutePath) ? "/" : uri.AbsolutePath).Append('\n');
            canonical.Append(CanonicalQuery(uri.Query)).Append('\n');
            foreach (var h in sorted)
            {
                canonical.Append(h.Key).Append(':').Append(h.Value).Append('\n');
            }

            canonical.Append('\n').Append(signedHeaders).Append('\n');
            canonical.Append(AWSSDKUtils.ToHex(AWS4Signer.ComputeHash(body), true));

            AWS4SigningResult result = AWS4Signer.ComputeSignature(
                credentials, region, signedAt.ToUniversalTime(), service, signedHeaders, canonical.ToString());
            return result.ForAuthorizationHeader;
        }

        private static string CanonicalQuery(string query)
        {
            if (string.IsNullOrEmpty(query) || query == "?")
            {
                return "";
            }

            var pairs = query.TrimStart('?').Split('&')
                .Where(p => p.Length > 0)
                .Select(p =>
                {
                    int eq = p.IndexOf('=');
                    string k = eq < 0 ? p : p.Substring(0, eq);
                    string v = eq < 0 ? "" : p.Substring(eq + 1);
                    return new KeyValuePair<string, string>(
                        Uri.EscapeDataString(Uri.UnescapeDataString(k)), Uri.EscapeDataString(Uri.UnescapeDataString(v)));
                })
                .OrderBy(p => p.Key, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal);
            return string.Join("&", pairs.Select(p => p.Key + "=" + p.Value));
        }

        private static string CollapseSpaces(string value)
        {
            var sb = new StringBuilder(value.Length);
            bool lastSpace = false;
            foreach (char c in value)
            {
                if (c == ' ')
                {
                    if (!lastSpace)
                    {
                        sb.Append(c);
                    }

                    lastSpace = true;
                }
                else
                {
                    sb.Append(c);
                    lastSpace = false;
                }
            }

            return sb.ToString();
        }
    }
}

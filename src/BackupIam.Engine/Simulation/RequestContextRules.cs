using System;
using System.Collections.Generic;
using System.Net;
using BackupIam.Engine.Errors;

namespace BackupIam.Engine.Simulation
{
    /// <summary>
    /// Checks the values a caller puts into a simulated request's context for keys whose type AWS fixes, so that a typo
    /// such as <c>aws:SourceIp=not-an-ip</c> is refused instead of silently deciding nothing: IP keys take an IPv4 or
    /// IPv6 address; boolean keys take true or false.
    /// </summary>
    public static class RequestContextRules
    {
        /// <summary>ErrorId for a context value of the wrong type.</summary>
        public const string ContextValueInvalidErrorId = "ContextValueInvalid";

        private static readonly string[] IpKeys = { "aws:SourceIp", "aws:VpcSourceIp" };

        private static readonly string[] BoolKeys = { "aws:SecureTransport", "aws:MultiFactorAuthPresent", "aws:ViaAWSService", "aws:PrincipalIsAWSService" };

        /// <summary>Throws for the first value of a typed key that does not fit its type.</summary>
        /// <exception cref="InputValidationException">ErrorId <c>ContextValueInvalid</c>, naming the key and the value.</exception>
        public static void Validate(IEnumerable<KeyValuePair<string, IReadOnlyList<string>>> context, string parameterName)
        {
            foreach (KeyValuePair<string, IReadOnlyList<string>> pair in context)
            {
                bool ip = Contains(IpKeys, pair.Key);
                bool boolean = Contains(BoolKeys, pair.Key);
                if (!ip && !boolean)
                {
                    continue;
                }

                foreach (string value in pair.Value)
                {
                    if (ip && !IsIpAddress(value))
                    {
                        throw Invalid(parameterName, pair.Key, value, "an IPv4 or IPv6 address such as 203.0.113.5 or 2001:db8::5 (the address a request comes from, not a range)");
                    }

                    if (boolean && !string.Equals(value, "true", StringComparison.OrdinalIgnoreCase) && !string.Equals(value, "false", StringComparison.OrdinalIgnoreCase))
                    {
                        throw Invalid(parameterName, pair.Key, value, "true or false");
                    }
                }
            }
        }

        private static bool Contains(string[] keys, string key)
        {
            foreach (string k in keys)
            {
                if (string.Equals(k, key, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }

            return false;
        }

        private static bool IsIpAddress(string? value)
        {
            if (string.IsNullOrEmpty(value) || value!.IndexOf('/') >= 0)
            {
                return false;
            }

            // IPAddress.TryParse also takes forms such as "1" or "1.2"; an address in a request has all four parts.
            if (!IPAddress.TryParse(value, out IPAddress? address))
            {
                return false;
            }

            return address!.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork || value.Split('.').Length == 4;
        }

        private static InputValidationException Invalid(string parameterName, string key, string value, string expected) =>
            new InputValidationException(
                ContextValueInvalidErrorId, parameterName,
                $"-{parameterName} {key}='{value}' is not a valid value for {key}: give {expected}.")
            {
                Target = value,
            };
    }
}

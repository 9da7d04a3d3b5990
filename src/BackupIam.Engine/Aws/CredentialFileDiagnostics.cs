using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using BackupIam.Engine.Errors;

namespace BackupIam.Engine.Aws
{
    /// <summary>
    /// Says what is wrong with an AWS credentials or config file without ever quoting a line of it: a malformed line may
    /// hold a secret access key (<c>aws_secret_access_key wJalr…</c> with the <c>=</c> missing), and AWSSDK's
    /// <see cref="InvalidDataException"/> quotes the whole line. Names the file, the line number, the profile and the rule.
    /// </summary>
    public static class CredentialFileDiagnostics
    {
        /// <summary>Setting names that may be named in a message (a name from this list is never a secret).</summary>
        private static readonly HashSet<string> KnownSettings = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "aws_access_key_id", "aws_secret_access_key", "aws_session_token", "region", "output", "role_arn", "source_profile",
            "credential_source", "external_id", "mfa_serial", "role_session_name", "duration_seconds", "credential_process",
            "sso_session", "sso_account_id", "sso_role_name", "sso_region", "sso_start_url", "sso_registration_scopes",
            "endpoint_url", "services", "s3", "max_attempts", "retry_mode", "web_identity_token_file", "ca_bundle",
            "aws_account_id", "toolkit_artifact_guid",
        };

        /// <summary>
        /// Finds the first malformed line of <paramref name="path"/> and describes it, e.g.
        /// <c>line 3 (profile 'backup'): the setting aws_secret_access_key has no '=' between its name and its value</c>.
        /// Returns null when the file cannot be read or no malformed line is found.
        /// </summary>
        public static string? FindProblem(string path)
        {
            string[] lines;
            try
            {
                lines = File.ReadAllLines(path);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is ArgumentException || ex is NotSupportedException)
            {
                return null;
            }

            string? profile = null;
            for (int i = 0; i < lines.Length; i++)
            {
                string line = lines[i].Trim();
                string where = "line " + (i + 1).ToString(CultureInfo.InvariantCulture) + (profile == null ? "" : " (profile '" + profile + "')");
                if (line.Length == 0 || line[0] == '#' || line[0] == ';')
                {
                    continue;
                }

                if (line[0] == '[')
                {
                    int close = line.IndexOf(']');
                    if (close < 0)
                    {
                        return where + ": a profile header starts with '[' but has no closing ']'";
                    }

                    profile = line.Substring(1, close - 1).Trim();
                    if (profile.StartsWith("profile ", StringComparison.Ordinal))
                    {
                        profile = profile.Substring(8).Trim();
                    }

                    continue;
                }

                int equals = line.IndexOf('=');
                if (equals < 0)
                {
                    string name = FirstToken(line);
                    return where + ": " + (KnownSettings.Contains(name) ? "the setting " + name.ToLowerInvariant() : "the line")
                        + " has no '=' between a setting name and its value (the line's text is not shown: it may hold a secret)";
                }

                if (equals == 0)
                {
                    return where + ": the line starts with '=' and so has no setting name";
                }

                if (profile == null)
                {
                    return where + ": a setting comes before the first [profile] header";
                }
            }

            return null;
        }

        /// <summary>
        /// The error for an AWSSDK failure to parse a profile file: names the file(s), the line, the profile and the rule,
        /// and carries neither the SDK's message nor its exception (both quote the line).
        /// </summary>
        /// <param name="candidates">The files that may have been read, the given one first.</param>
        /// <param name="parameterName">The parameter that named the file (ProfileLocation) or the profile (ProfileName).</param>
        public static BackupIamException Malformed(IEnumerable<string> candidates, string parameterName)
        {
            var tried = new List<string>();
            foreach (string path in candidates)
            {
                if (string.IsNullOrEmpty(path))
                {
                    continue;
                }

                tried.Add(path);
                string? problem = FindProblem(path);
                if (problem != null)
                {
                    return new InputValidationException("AwsProfileFileMalformed", parameterName,
                        "The AWS credentials file '" + path + "' cannot be read: " + problem
                        + ". Each line must be a [profile] header, a comment, or 'name = value', for example 'aws_access_key_id = AKIAIOSFODNN7EXAMPLE'.")
                    {
                        Target = path,
                    };
                }
            }

            return new InputValidationException("AwsProfileFileMalformed", parameterName,
                "An AWS credentials or config file (" + (tried.Count == 0 ? "~/.aws/credentials or ~/.aws/config" : string.Join(", ", tried))
                + ") cannot be read: AWSSDK found a malformed line (its text is not shown: it may hold a secret). "
                + "Each line must be a [profile] header, a comment, or 'name = value'.");
        }

        private static string FirstToken(string line)
        {
            int end = 0;
            while (end < line.Length && !char.IsWhiteSpace(line[end]))
            {
                end++;
            }

            return line.Substring(0, end);
        }
    }
}

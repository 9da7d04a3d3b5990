using System;
using System.Collections.Generic;
using System.Text;
using BackupIam.Engine.Policies;
using BackupIam.Engine.Simulation;

namespace BackupIam.Engine.Lint
{
    /// <summary>
    /// Decides whether an Allow statement lets a client overwrite objects, by simulation rather than by looking for the
    /// key name: each object ARN the statement grants s3:PutObject on is probed twice, as a plain PutObject (which
    /// overwrites an existing key) and as a PutObject with <c>If-None-Match: *</c> (<c>s3:if-none-match</c> = <c>*</c>,
    /// which never overwrites), against the statement itself plus every Deny statement of the policy that applies to the
    /// statement's principal. Backups are overwritable when the plain PutObject is allowed. Conditions on other keys
    /// (headers, source IP, TLS, ...) are assumed to be met by the client: they are left out of the Allow, and a Deny
    /// that has any is not counted as a no-overwrite rule.
    /// </summary>
    internal sealed class OverwriteProbe
    {
        private const string DefaultAccount = "123456789012";
        private const string ExampleObject = "example-object";
        private const string IfNoneMatchKey = "s3:if-none-match";

        private static readonly Dictionary<string, IReadOnlyList<string>> NoContext =
            new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);

        private static readonly Dictionary<string, IReadOnlyList<string>> IfNoneMatch =
            new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase) { [IfNoneMatchKey] = new[] { "*" } };

        private readonly PolicyDocument _doc;
        private readonly CompiledPolicy? _denies;
        private Probe? _last;

        public OverwriteProbe(PolicyDocument doc, bool resourcePolicy)
        {
            _doc = doc;
            PolicyDocument denies = NewDocument(doc);
            foreach (PolicyStatement st in doc.Statements)
            {
                // A Deny protects against overwrites only when it does not depend on anything the client controls
                // besides If-None-Match (its other conditions a client can meet or avoid).
                if (st != null && st.Effect == PolicyEffect.Deny && OnlyIfNoneMatchConditions(st))
                {
                    denies.Statements.Add(st);
                }
            }

            _denies = denies.Statements.Count == 0 ? null : new CompiledPolicy(new NamedPolicy("Policy", denies, resourcePolicy));
        }

        /// <summary>True when a plain (overwriting) s3:PutObject on some object the Allow statement covers is allowed.</summary>
        public bool AllowsOverwrite(PolicyStatement allow) => Allows(allow, NoContext);

        /// <summary>True when an If-None-Match PutObject (no overwrite) on some object the statement covers is allowed.</summary>
        public bool AllowsSafeUpload(PolicyStatement allow) => Allows(allow, IfNoneMatch);

        private bool Allows(PolicyStatement allow, Dictionary<string, IReadOnlyList<string>> context)
        {
            if (_last == null || !ReferenceEquals(_last.Statement, allow))
            {
                PrincipalInfo principal = PrincipalOf(allow);
                PolicyDocument single = NewDocument(_doc);
                single.Statements.Add(WithoutPrincipal(allow));
                var compiled = new CompiledPolicy(new NamedPolicy("Policy", single));
                _last = new Probe(allow, principal, _denies == null ? new[] { compiled } : new[] { compiled, _denies }, new List<string>(ProbeArns(allow, principal)));
            }

            foreach (string arn in _last.Arns)
            {
                if (PolicyEvaluator.Evaluate(_last.Policies, new EvaluationRequest("s3:PutObject", arn, _last.Principal, context)).Decision == Decision.Allowed)
                {
                    return true;
                }
            }

            return false;
        }

        private static PolicyDocument NewDocument(PolicyDocument like)
        {
            var doc = new PolicyDocument { Version = like.Version };
            doc.VersionMissing = like.VersionMissing;
            return doc;
        }

        private static bool OnlyIfNoneMatchConditions(PolicyStatement st)
        {
            foreach (ConditionClause c in st.Conditions)
            {
                if (c != null && !IsIfNoneMatch(c))
                {
                    return false;
                }
            }

            return true;
        }

        private static bool IsIfNoneMatch(ConditionClause c) => string.Equals(c.Key, IfNoneMatchKey, StringComparison.OrdinalIgnoreCase);

        /// <summary>The statement without Principal and without the conditions on keys other than s3:if-none-match, which the client can meet.</summary>
        private static PolicyStatement WithoutPrincipal(PolicyStatement st)
        {
            var copy = new PolicyStatement
            {
                Sid = st.Sid,
                Effect = st.Effect,
                IsNotAction = st.IsNotAction,
                IsNotResource = st.IsNotResource,
            };
            copy.Actions.AddRange(st.Actions);
            copy.Resources.AddRange(st.Resources);
            foreach (ConditionClause c in st.Conditions)
            {
                if (c != null && IsIfNoneMatch(c))
                {
                    copy.Conditions.Add(c);
                }
            }

            return copy;
        }

        /// <summary>The statement's first IAM user or role principal; otherwise a user in its account (or a default account).</summary>
        private static PrincipalInfo PrincipalOf(PolicyStatement st)
        {
            string account = DefaultAccount;
            if (st.Principal != null && st.Principal.Values.TryGetValue("AWS", out List<string>? values))
            {
                foreach (string value in values)
                {
                    if (value == null)
                    {
                        continue;
                    }

                    if (value.StartsWith("arn:", StringComparison.Ordinal) && (value.IndexOf(":user/", StringComparison.Ordinal) > 0 || value.IndexOf(":role/", StringComparison.Ordinal) > 0))
                    {
                        try
                        {
                            return PrincipalInfo.FromArn(value);
                        }
                        catch (Errors.InputValidationException)
                        {
                            // Not a well-formed ARN: fall back to a user of the account.
                        }
                    }

                    string id = value.Length == 12 ? value : (value.StartsWith("arn:", StringComparison.Ordinal) && value.EndsWith(":root", StringComparison.Ordinal) ? AccountOf(value) : string.Empty);
                    if (id.Length == 12 && IsDigits(id))
                    {
                        account = id;
                    }
                }
            }

            return PrincipalInfo.ForUser(account, "backup-client");
        }

        private static string AccountOf(string rootArn)
        {
            string[] parts = rootArn.Split(':');
            return parts.Length >= 6 ? parts[4] : string.Empty;
        }

        private static bool IsDigits(string s)
        {
            foreach (char c in s)
            {
                if (c < '0' || c > '9')
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>Concrete object ARNs inside the statement's resources: wildcards become "example-object", variables their value.</summary>
        private static IEnumerable<string> ProbeArns(PolicyStatement st, PrincipalInfo principal)
        {
            const string Generic = "arn:aws:s3:::example-bucket/" + ExampleObject;
            if (st.IsNotResource || st.Resources.Count == 0)
            {
                yield return Generic;
                yield break;
            }

            foreach (string r in st.Resources)
            {
                if (r == null)
                {
                    continue;
                }

                if (r == "*")
                {
                    yield return Generic;
                    continue;
                }

                int mask = LintShared.ResourceMask(r, out _);
                if ((mask & (1 << (int)S3ResourceType.Object)) == 0)
                {
                    continue;
                }

                yield return Concretize(r, principal);
            }
        }

        private static string Concretize(string pattern, PrincipalInfo principal)
        {
            var sb = new StringBuilder(pattern.Length + 16);
            for (int i = 0; i < pattern.Length; i++)
            {
                char c = pattern[i];
                if (c == '$' && i + 1 < pattern.Length && pattern[i + 1] == '{')
                {
                    int close = pattern.IndexOf('}', i + 2);
                    if (close > 0)
                    {
                        string inner = pattern.Substring(i + 2, close - i - 2);
                        int comma = inner.IndexOf(',');
                        string key = (comma < 0 ? inner : inner.Substring(0, comma)).Trim();
                        string? value = principal.GetKeyValues(key)?[0];
                        if (value == null && comma >= 0)
                        {
                            value = inner.Substring(comma + 1).Trim().Trim('\'');
                        }

                        sb.Append(value ?? "x");
                        i = close;
                        continue;
                    }
                }

                sb.Append(c == '*' ? ExampleObject : c == '?' ? "x" : c.ToString());
            }

            return sb.ToString();
        }

        /// <summary>The compiled probe of the statement checked last (the finding asks twice).</summary>
        private sealed class Probe
        {
            public Probe(PolicyStatement statement, PrincipalInfo principal, CompiledPolicy[] policies, List<string> arns)
            {
                Statement = statement;
                Principal = principal;
                Policies = policies;
                Arns = arns;
            }

            public PolicyStatement Statement { get; }

            public PrincipalInfo Principal { get; }

            public CompiledPolicy[] Policies { get; }

            public List<string> Arns { get; }
        }
    }
}

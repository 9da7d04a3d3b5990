using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using BackupIam.Engine.Json;

namespace BackupIam.Engine.Policies
{
    /// <summary>
    /// The IAM policy grammar: the element names, principal types and condition operators that exist, the form of an
    /// action and of a resource, and the errors that name the statement, its Sid and the field. The reader checks
    /// parsed JSON with these rules; <see cref="Validate"/> checks a document built in code before it is written.
    /// </summary>
    internal static class PolicyGrammar
    {
        internal static readonly string[] TopLevelKeys = { "Version", "Id", "Statement" };

        internal static readonly string[] StatementKeys =
        {
            "Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition",
        };

        internal static readonly string[] PrincipalTypes = { "AWS", "Service", "Federated", "CanonicalUser" };

        internal static readonly HashSet<string> BaseConditionOperators = new HashSet<string>(StringComparer.Ordinal)
        {
            "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
            "StringLike", "StringNotLike",
            "NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals",
            "NumericGreaterThan", "NumericGreaterThanEquals",
            "DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals",
            "Bool", "BinaryEquals", "IpAddress", "NotIpAddress",
            "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike",
            "Null",
        };

        /// <summary>Checks a document built in code against the same grammar rules that <see cref="Parse"/> applies.</summary>
        /// <exception cref="PolicyFormatException">ErrorId <c>PolicyGrammarInvalid</c>, naming the statement and the field.</exception>
        internal static void Validate(PolicyDocument doc)
        {
            if (doc == null)
            {
                throw new ArgumentNullException(nameof(doc));
            }

            if (doc.Version != PolicyDocument.CurrentVersion && doc.Version != PolicyJson.LegacyVersion)
            {
                throw Grammar(null, null, "Version", "'Version' must be \"2012-10-17\" or \"2008-10-17\", got " + Quote(doc.Version) + ".", null);
            }

            if (doc.Statements.Count == 0)
            {
                throw Grammar(null, null, "Statement", "'Statement' must contain at least one statement.", null);
            }

            var sids = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int i = 0; i < doc.Statements.Count; i++)
            {
                PolicyStatement st = doc.Statements[i] ?? throw Grammar(i, null, "Statement", "the statement is null.", null);
                string? sid = st.Sid;
                if (sid != null)
                {
                    if (sids.TryGetValue(sid, out int first))
                    {
                        throw Grammar(i, sid, "Sid", "'Sid' " + Quote(sid) + " is already used by Statement[" + first.ToString(CultureInfo.InvariantCulture) + "]; Sids must be unique within a policy.", null);
                    }

                    sids.Add(sid, i);
                }

                if (st.Effect != PolicyEffect.Allow && st.Effect != PolicyEffect.Deny)
                {
                    throw Grammar(i, sid, "Effect", "'Effect' must be \"Allow\" or \"Deny\".", null);
                }

                CheckPrincipal(st.Principal, i, sid, "Principal");
                CheckPrincipal(st.NotPrincipal, i, sid, "NotPrincipal");
                if (st.Principal != null && st.NotPrincipal != null)
                {
                    throw Grammar(i, sid, "NotPrincipal", "a statement cannot have both 'Principal' and 'NotPrincipal'.", null);
                }

                string actionField = st.IsNotAction ? "NotAction" : "Action";
                if (st.Actions.Count == 0)
                {
                    throw Grammar(i, sid, actionField, "'" + actionField + "' must list at least one action, such as \"s3:GetObject\".", null);
                }

                foreach (string a in st.Actions)
                {
                    CheckAction(a, i, sid, actionField, null);
                }

                string resourceField = st.IsNotResource ? "NotResource" : "Resource";
                if (st.IsNotResource && st.Resources.Count == 0)
                {
                    throw Grammar(i, sid, resourceField, "'NotResource' must list at least one resource.", null);
                }

                foreach (string r in st.Resources)
                {
                    CheckResource(r, i, sid, resourceField, null);
                }

                foreach (ConditionClause c in st.Conditions)
                {
                    if (c == null)
                    {
                        throw Grammar(i, sid, "Condition", "a condition clause is null.", null);
                    }

                    CheckOperator(c.Operator, i, sid, null);
                    if (string.IsNullOrEmpty(c.Key))
                    {
                        throw Grammar(i, sid, "Condition", "the condition key under " + Quote(c.Operator) + " must be a non-empty string such as \"s3:prefix\".", null);
                    }

                    if (c.Values.Count == 0)
                    {
                        throw Grammar(i, sid, "Condition", "condition key " + Quote(c.Key) + " under " + Quote(c.Operator) + " must have at least one value.", null);
                    }

                    foreach (string v in c.Values)
                    {
                        if (v == null)
                        {
                            throw Grammar(i, sid, "Condition", "condition key " + Quote(c.Key) + " under " + Quote(c.Operator) + " has a null value.", null);
                        }
                    }
                }

                // Two clauses with the same operator and key would render as a duplicate JSON member.
                for (int a = 0; a < st.Conditions.Count; a++)
                {
                    for (int b = a + 1; b < st.Conditions.Count; b++)
                    {
                        if (st.Conditions[a].Operator == st.Conditions[b].Operator && st.Conditions[a].Key == st.Conditions[b].Key)
                        {
                            throw Grammar(i, sid, "Condition", "condition key " + Quote(st.Conditions[a].Key) + " appears twice under " + Quote(st.Conditions[a].Operator) + "; merge the values into one list.", null);
                        }
                    }
                }
            }
        }

        internal static void CheckPrincipal(PrincipalBlock? block, int index, string? sid, string field)
        {
            if (block == null || block.IsWildcard)
            {
                return;
            }

            if (block.Values.Count == 0)
            {
                throw Grammar(index, sid, field, "'" + field + "' must be \"*\" or name at least one principal, such as {\"AWS\": \"arn:aws:iam::123456789012:user/backup\"}.", null);
            }

            foreach (KeyValuePair<string, List<string>> kv in block.Values)
            {
                if (Array.IndexOf(PrincipalTypes, kv.Key) < 0)
                {
                    throw Grammar(index, sid, field, "unknown principal type " + Quote(kv.Key) + "; use AWS, Service, Federated or CanonicalUser.", null);
                }

                if (kv.Value == null || kv.Value.Count == 0)
                {
                    throw Grammar(index, sid, field, "principal type " + Quote(kv.Key) + " must have at least one value.", null);
                }

                foreach (string v in kv.Value)
                {
                    if (string.IsNullOrEmpty(v))
                    {
                        throw Grammar(index, sid, field, "principal type " + Quote(kv.Key) + " has an empty value.", null);
                    }
                }
            }
        }

        internal static void CheckAction(string? action, int index, string? sid, string field, JsonNode? at)
        {
            if (!IsValidAction(action))
            {
                throw Grammar(index, sid, field, "action " + Quote(action) + " must look like \"service:Action\" (for example \"s3:PutObject\" or \"s3:Get*\") or be \"*\".", at);
            }
        }

        /// <summary>
        /// True for "*" and for "service:Action": the service is letters, digits and '-'; the action part is non-empty
        /// letters, digits, '*', '?', '-', '_' or ':'. Whether the action exists is the linter's question, not the grammar's.
        /// </summary>
        internal static bool IsValidAction(string? action)
        {
            if (string.IsNullOrEmpty(action))
            {
                return false;
            }

            if (action == "*")
            {
                return true;
            }

            int colon = action!.IndexOf(':');
            if (colon <= 0 || colon == action.Length - 1)
            {
                return false;
            }

            for (int k = 0; k < colon; k++)
            {
                char c = action[k];
                if (!(IsAsciiLetterOrDigit(c) || c == '-'))
                {
                    return false;
                }
            }

            for (int k = colon + 1; k < action.Length; k++)
            {
                char c = action[k];
                // ':' is tolerated after the first colon so that run-together actions such as
                // "s3:AbortMultipartUploads3:ListMultipartUploadParts" reach the linter, which explains them better.
                if (!(IsAsciiLetterOrDigit(c) || c == '*' || c == '?' || c == '-' || c == '_' || c == ':'))
                {
                    return false;
                }
            }

            return true;
        }

        internal static void CheckResource(string? resource, int index, string? sid, string field, JsonNode? at)
        {
            if (string.IsNullOrEmpty(resource))
            {
                throw Grammar(index, sid, field, "'" + field + "' values must be non-empty strings: an ARN such as \"arn:aws:s3:::my-backup-bucket/*\" or \"*\".", at);
            }

            if (resource == "*")
            {
                return;
            }

            int colons = 0;
            foreach (char c in resource!)
            {
                if (c == ':')
                {
                    colons++;
                }
            }

            if (!resource.StartsWith("arn:", StringComparison.Ordinal) || colons < 5)
            {
                throw Grammar(index, sid, field, "resource " + Quote(resource) + " must be an ARN such as \"arn:aws:s3:::my-backup-bucket/*\" (arn:partition:service:region:account:resource) or \"*\".", at);
            }
        }

        internal static void CheckOperator(string? op, int index, string? sid, JsonNode? at)
        {
            if (string.IsNullOrEmpty(op))
            {
                throw Grammar(index, sid, "Condition", "condition operator must be a non-empty name such as \"StringEquals\".", at);
            }

            string baseName = op!;
            string? setPrefix = null;
            foreach (string prefix in new[] { "ForAnyValue:", "ForAllValues:" })
            {
                if (baseName.StartsWith(prefix, StringComparison.Ordinal))
                {
                    setPrefix = prefix;
                    baseName = baseName.Substring(prefix.Length);
                    break;
                }
            }

            bool ifExists = false;
            if (baseName.EndsWith("IfExists", StringComparison.Ordinal))
            {
                ifExists = true;
                baseName = baseName.Substring(0, baseName.Length - "IfExists".Length);
            }

            if (BaseConditionOperators.Contains(baseName) && !(ifExists && baseName == "Null") && !(setPrefix != null && baseName == "Null"))
            {
                return;
            }

            string hint = string.Empty;
            foreach (string known in BaseConditionOperators)
            {
                if (string.Equals(known, baseName, StringComparison.OrdinalIgnoreCase))
                {
                    hint = " (operator names are case-sensitive: did you mean \"" + (setPrefix ?? string.Empty) + known + (ifExists ? "IfExists" : string.Empty) + "\"?)";
                    break;
                }
            }

            throw Grammar(index, sid, "Condition", "unknown condition operator " + Quote(op) + hint + "; use an IAM operator such as \"StringEquals\", \"StringLike\", \"Bool\", \"IpAddress\" or \"ArnLike\", optionally with a ForAnyValue:/ForAllValues: prefix or an IfExists suffix.", at);
        }

        internal static bool IsAsciiLetterOrDigit(char c) =>
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');

        internal static string Quote(string? s)
        {
            if (s == null)
            {
                return "null";
            }

            var sb = new StringBuilder();
            JsonWriter.WriteString(s.Length > 120 ? s.Substring(0, 117) + "..." : s, sb);
            return sb.ToString();
        }

        internal static string Describe(JsonNode node)
        {
            if (node is JsonString s)
            {
                return Quote(s.Value);
            }

            string text = JsonWriter.Write(node, indented: false);
            return node.KindDescription + " (" + (text.Length > 60 ? text.Substring(0, 57) + "..." : text) + ")";
        }

        internal static PolicyFormatException Grammar(int? index, string? sid, string field, string detail, JsonNode? at, int line = 0, int column = 0)
        {
            var sb = new StringBuilder();
            if (index.HasValue)
            {
                sb.Append("Statement[").Append(index.Value.ToString(CultureInfo.InvariantCulture)).Append(']');
                if (sid != null)
                {
                    sb.Append(" (Sid '").Append(sid).Append("')");
                }

                sb.Append(": ");
            }

            sb.Append(detail);
            if (at != null && at.Line > 0)
            {
                line = at.Line;
                column = at.Column;
            }

            if (line > 0)
            {
                sb.Append(" Line ").Append(line.ToString(CultureInfo.InvariantCulture))
                  .Append(", column ").Append(column.ToString(CultureInfo.InvariantCulture)).Append('.');
            }

            return new PolicyFormatException(
                PolicyFormatException.GrammarInvalidErrorId,
                sb.ToString(),
                index,
                sid,
                field,
                line > 0 ? line : (int?)null,
                line > 0 ? column : (int?)null);
        }
    }
}

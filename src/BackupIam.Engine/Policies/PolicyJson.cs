using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using BackupIam.Engine.Json;

namespace BackupIam.Engine.Policies
{
    /// <summary>
    /// Reads any AWS policy JSON into a <see cref="PolicyDocument"/> (checking the IAM grammar) and writes a
    /// document back in one stable, canonical form that can be pasted into the AWS console, CloudFormation or Terraform.
    /// </summary>
    public static class PolicyJson
    {
        /// <summary>The policy language version written before 2012 (policy variables are not expanded under it).</summary>
        public const string LegacyVersion = "2008-10-17";

        private static readonly string[] TopLevelKeys = { "Version", "Id", "Statement" };

        private static readonly string[] StatementKeys =
        {
            "Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition",
        };

        private static readonly string[] PrincipalTypes = { "AWS", "Service", "Federated", "CanonicalUser" };

        private static readonly HashSet<string> BaseConditionOperators = new HashSet<string>(StringComparer.Ordinal)
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

        /// <summary>
        /// Parses policy JSON: <c>Statement</c> as one object or an array; Action/NotAction and Resource/NotResource as a
        /// string or an array; Principal as <c>"*"</c> or a map of type to value(s); Condition as
        /// <c>{operator: {key: value or [values]}}</c> with string, number or boolean values (numbers and booleans are
        /// kept as their JSON text). A missing Version reads as 2012-10-17 but sets
        /// <see cref="PolicyDocument.VersionMissing"/>, so the document is evaluated with the 2008-10-17 rules as AWS does.
        /// </summary>
        /// <exception cref="ArgumentNullException"><paramref name="json"/> is null.</exception>
        /// <exception cref="PolicyFormatException">
        /// ErrorId <c>PolicyJsonMalformed</c> when the text is not JSON (with line and column), or
        /// <c>PolicyGrammarInvalid</c> when it breaks the IAM grammar (naming the statement and the field).
        /// </exception>
        public static PolicyDocument Parse(string json)
        {
            if (json == null)
            {
                throw new ArgumentNullException(nameof(json));
            }

            JsonNode root;
            try
            {
                root = JsonReader.Parse(json);
            }
            catch (JsonFormatException ex)
            {
                throw new PolicyFormatException(
                    PolicyFormatException.MalformedJsonErrorId,
                    "The policy is not valid JSON. " + ex.Message,
                    line: ex.Line,
                    column: ex.Column,
                    inner: ex);
            }

            return FromJsonNode(root);
        }

        /// <summary>Builds a document from an already parsed JSON value, with the same checks as <see cref="Parse"/>.</summary>
        /// <exception cref="PolicyFormatException">ErrorId <c>PolicyGrammarInvalid</c>.</exception>
        public static PolicyDocument FromJsonNode(JsonNode root)
        {
            if (root == null)
            {
                throw new ArgumentNullException(nameof(root));
            }

            return new Reader().ReadDocument(root);
        }

        /// <summary>
        /// Renders the canonical JSON: <c>"Version"</c> first (2012-10-17 unless the document says 2008-10-17),
        /// then <c>"Id"</c> when set, then <c>"Statement"</c> always as an array. Statement keys come in the order
        /// Sid, Effect, Principal, NotPrincipal, Action|NotAction, Resource|NotResource, Condition. A one-value list is
        /// written as a string, a longer one as an array in the given order. Condition operators and keys keep their
        /// order; condition values are always written as strings. Indented output uses 4 spaces and "\n".
        /// </summary>
        /// <exception cref="PolicyFormatException">The document breaks the IAM grammar (ErrorId <c>PolicyGrammarInvalid</c>), so the output could not be read back.</exception>
        public static string ToJson(PolicyDocument doc, bool indented = true)
        {
            return JsonWriter.Write(ToJsonNode(doc), indented);
        }

        /// <summary>The canonical JSON tree that <see cref="ToJson"/> writes.</summary>
        /// <exception cref="PolicyFormatException">The document breaks the IAM grammar (ErrorId <c>PolicyGrammarInvalid</c>).</exception>
        public static JsonObject ToJsonNode(PolicyDocument doc)
        {
            if (doc == null)
            {
                throw new ArgumentNullException(nameof(doc));
            }

            Validate(doc);

            var root = new JsonObject();
            root.Add("Version", doc.Version == LegacyVersion ? LegacyVersion : PolicyDocument.CurrentVersion);
            if (doc.Id != null)
            {
                root.Add("Id", doc.Id);
            }

            var statements = new JsonArray();
            foreach (PolicyStatement st in doc.Statements)
            {
                statements.Add(WriteStatement(st));
            }

            root.Add("Statement", statements);
            return root;
        }

        /// <summary>
        /// The size IAM counts against its policy size quotas: the number of characters of the compact rendering,
        /// not counting whitespace.
        /// </summary>
        public static int CountNonWhitespaceCharacters(PolicyDocument doc) =>
            Naming.PolicySizeLimits.Measure(doc, Lint.PolicyContainer.UserInline);

        /// <summary>Checks a document built in code against the same grammar rules that <see cref="Parse"/> applies.</summary>
        /// <exception cref="PolicyFormatException">ErrorId <c>PolicyGrammarInvalid</c>, naming the statement and the field.</exception>
        public static void Validate(PolicyDocument doc)
        {
            if (doc == null)
            {
                throw new ArgumentNullException(nameof(doc));
            }

            if (doc.Version != PolicyDocument.CurrentVersion && doc.Version != LegacyVersion)
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

        private static void CheckPrincipal(PrincipalBlock? block, int index, string? sid, string field)
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

        private static void CheckAction(string? action, int index, string? sid, string field, JsonNode? at)
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

        private static void CheckResource(string? resource, int index, string? sid, string field, JsonNode? at)
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

        private static void CheckOperator(string? op, int index, string? sid, JsonNode? at)
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

        private static bool IsAsciiLetterOrDigit(char c) =>
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');

        private static JsonObject WriteStatement(PolicyStatement st)
        {
            var obj = new JsonObject();
            if (st.Sid != null)
            {
                obj.Add("Sid", st.Sid);
            }

            obj.Add("Effect", st.Effect == PolicyEffect.Deny ? "Deny" : "Allow");
            if (st.Principal != null)
            {
                obj.Add("Principal", WritePrincipal(st.Principal));
            }

            if (st.NotPrincipal != null)
            {
                obj.Add("NotPrincipal", WritePrincipal(st.NotPrincipal));
            }

            obj.Add(st.IsNotAction ? "NotAction" : "Action", StringOrArray(st.Actions));
            if (st.Resources.Count > 0)
            {
                obj.Add(st.IsNotResource ? "NotResource" : "Resource", StringOrArray(st.Resources));
            }

            if (st.Conditions.Count > 0)
            {
                var cond = new JsonObject();
                var byOperator = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
                foreach (ConditionClause c in st.Conditions)
                {
                    if (!byOperator.TryGetValue(c.Operator, out JsonObject? keys))
                    {
                        keys = new JsonObject();
                        byOperator.Add(c.Operator, keys);
                        cond.Add(c.Operator, keys);
                    }

                    keys.Add(c.Key, StringOrArray(c.Values));
                }

                obj.Add("Condition", cond);
            }

            return obj;
        }

        private static JsonNode WritePrincipal(PrincipalBlock block)
        {
            if (block.IsWildcard)
            {
                return new JsonString("*");
            }

            var obj = new JsonObject();
            foreach (KeyValuePair<string, List<string>> kv in block.Values)
            {
                obj.Add(kv.Key, StringOrArray(kv.Value));
            }

            return obj;
        }

        private static JsonNode StringOrArray(List<string> values)
        {
            if (values.Count == 1)
            {
                return new JsonString(values[0]);
            }

            var arr = new JsonArray();
            foreach (string v in values)
            {
                arr.Add(v);
            }

            return arr;
        }

        private static string Quote(string? s)
        {
            if (s == null)
            {
                return "null";
            }

            var sb = new StringBuilder();
            JsonWriter.WriteString(s.Length > 120 ? s.Substring(0, 117) + "..." : s, sb);
            return sb.ToString();
        }

        private static string Describe(JsonNode node)
        {
            if (node is JsonString s)
            {
                return Quote(s.Value);
            }

            string text = JsonWriter.Write(node, indented: false);
            return node.KindDescription + " (" + (text.Length > 60 ? text.Substring(0, 57) + "..." : text) + ")";
        }

        private static PolicyFormatException Grammar(int? index, string? sid, string field, string detail, JsonNode? at, int line = 0, int column = 0)
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

        /// <summary>Reads a JSON tree into the model, reporting the first grammar error.</summary>
        private sealed class Reader
        {
            private int? _index;
            private string? _sid;

            public PolicyDocument ReadDocument(JsonNode root)
            {
                if (!(root is JsonObject obj))
                {
                    throw Grammar(null, null, "Statement", "a policy document must be a JSON object such as {\"Version\": \"2012-10-17\", \"Statement\": [...]}, got " + root.KindDescription + ".", root);
                }

                CheckKeys(obj, TopLevelKeys, "top-level element", "Version, Id, Statement");
                var doc = new PolicyDocument();
                JsonNode? version = obj["Version"];
                if (version != null)
                {
                    string v = AsString(version, "Version", "\"2012-10-17\"");
                    if (v != PolicyDocument.CurrentVersion && v != LegacyVersion)
                    {
                        throw Fail("Version", "'Version' must be \"2012-10-17\" or \"2008-10-17\", got " + Quote(v) + ".", version);
                    }

                    doc.Version = v;
                }
                else
                {
                    doc.VersionMissing = true;
                }

                JsonNode? id = obj["Id"];
                if (id != null)
                {
                    doc.Id = AsString(id, "Id", "\"BackupPolicy\"");
                }

                JsonNode? statement = obj["Statement"];
                if (statement == null)
                {
                    throw Fail("Statement", "'Statement' is required: give one statement object or an array of them.", obj);
                }

                var sids = new Dictionary<string, int>(StringComparer.Ordinal);
                if (statement is JsonArray arr)
                {
                    if (arr.Count == 0)
                    {
                        throw Fail("Statement", "'Statement' must contain at least one statement.", arr);
                    }

                    for (int i = 0; i < arr.Count; i++)
                    {
                        doc.Statements.Add(ReadStatement(arr[i], i, sids));
                    }
                }
                else if (statement is JsonObject)
                {
                    doc.Statements.Add(ReadStatement(statement, 0, sids));
                }
                else
                {
                    throw Fail("Statement", "'Statement' must be an object or an array of objects, got " + Describe(statement) + ".", statement);
                }

                return doc;
            }

            private PolicyStatement ReadStatement(JsonNode node, int index, Dictionary<string, int> sids)
            {
                _index = index;
                _sid = null;
                if (!(node is JsonObject obj))
                {
                    throw Fail("Statement", "each statement must be a JSON object, got " + Describe(node) + ".", node);
                }

                // Find the Sid first so that every later message can name it.
                if (obj["Sid"] is JsonString sidNode)
                {
                    _sid = sidNode.Value;
                }

                CheckKeys(obj, StatementKeys, "statement element", "Sid, Effect, Principal, NotPrincipal, Action, NotAction, Resource, NotResource, Condition");
                var st = new PolicyStatement();

                JsonNode? sid = obj["Sid"];
                if (sid != null)
                {
                    st.Sid = AsString(sid, "Sid", "a string such as \"AllowBackupUploads\"");
                    if (sids.TryGetValue(st.Sid, out int first))
                    {
                        throw Fail("Sid", "'Sid' " + Quote(st.Sid) + " is already used by Statement[" + first.ToString(CultureInfo.InvariantCulture) + "]; Sids must be unique within a policy.", sid);
                    }

                    sids.Add(st.Sid, index);
                }

                JsonNode? effect = obj["Effect"];
                if (effect == null)
                {
                    throw Fail("Effect", "'Effect' is required and must be \"Allow\" or \"Deny\".", obj);
                }

                string effectText = effect is JsonString es ? es.Value : string.Empty;
                if (effectText == "Allow")
                {
                    st.Effect = PolicyEffect.Allow;
                }
                else if (effectText == "Deny")
                {
                    st.Effect = PolicyEffect.Deny;
                }
                else
                {
                    throw Fail("Effect", "'Effect' must be \"Allow\" or \"Deny\", got " + Describe(effect) + ".", effect);
                }

                JsonNode? principal = obj["Principal"];
                JsonNode? notPrincipal = obj["NotPrincipal"];
                if (principal != null && notPrincipal != null)
                {
                    throw Fail("NotPrincipal", "a statement cannot have both 'Principal' and 'NotPrincipal'.", notPrincipal);
                }

                if (principal != null)
                {
                    st.Principal = ReadPrincipal(principal, "Principal");
                }

                if (notPrincipal != null)
                {
                    st.NotPrincipal = ReadPrincipal(notPrincipal, "NotPrincipal");
                }

                JsonNode? action = obj["Action"];
                JsonNode? notAction = obj["NotAction"];
                if (action != null && notAction != null)
                {
                    throw Fail("NotAction", "a statement must have exactly one of 'Action' and 'NotAction', not both.", notAction);
                }

                if (action == null && notAction == null)
                {
                    throw Fail("Action", "a statement must have 'Action' (or 'NotAction'), such as \"Action\": \"s3:PutObject\".", obj);
                }

                string actionField = action != null ? "Action" : "NotAction";
                st.IsNotAction = action == null;
                JsonNode actionNode = action ?? notAction!;
                foreach (JsonString a in ReadStringList(actionNode, actionField, "\"s3:PutObject\""))
                {
                    CheckAction(a.Value, index, _sid, actionField, a);
                    st.Actions.Add(a.Value);
                }

                JsonNode? resource = obj["Resource"];
                JsonNode? notResource = obj["NotResource"];
                if (resource != null && notResource != null)
                {
                    throw Fail("NotResource", "a statement cannot have both 'Resource' and 'NotResource'.", notResource);
                }

                if (resource != null || notResource != null)
                {
                    string resourceField = resource != null ? "Resource" : "NotResource";
                    st.IsNotResource = resource == null;
                    foreach (JsonString r in ReadStringList(resource ?? notResource!, resourceField, "\"arn:aws:s3:::my-backup-bucket/*\""))
                    {
                        CheckResource(r.Value, index, _sid, resourceField, r);
                        st.Resources.Add(r.Value);
                    }
                }

                JsonNode? condition = obj["Condition"];
                if (condition != null)
                {
                    ReadCondition(condition, st);
                }

                return st;
            }

            private PrincipalBlock ReadPrincipal(JsonNode node, string field)
            {
                var block = new PrincipalBlock();
                if (node is JsonString s)
                {
                    if (s.Value != "*")
                    {
                        throw Fail(field, "'" + field + "' must be \"*\" or an object such as {\"AWS\": \"arn:aws:iam::123456789012:user/backup\"}, got " + Quote(s.Value) + ".", node);
                    }

                    block.IsWildcard = true;
                    return block;
                }

                if (!(node is JsonObject obj))
                {
                    throw Fail(field, "'" + field + "' must be \"*\" or an object such as {\"AWS\": \"arn:aws:iam::123456789012:user/backup\"}, got " + Describe(node) + ".", node);
                }

                if (obj.Count == 0)
                {
                    throw Fail(field, "'" + field + "' must name at least one principal, such as {\"AWS\": \"arn:aws:iam::123456789012:user/backup\"}.", node);
                }

                CheckKeys(obj, PrincipalTypes, "principal type in '" + field + "'", "AWS, Service, Federated, CanonicalUser", field);
                foreach (JsonProperty p in obj.Properties)
                {
                    var values = new List<string>();
                    foreach (JsonString v in ReadStringList(p.Value, field, "\"arn:aws:iam::123456789012:user/backup\""))
                    {
                        if (v.Value.Length == 0)
                        {
                            throw Fail(field, "principal type " + Quote(p.Name) + " has an empty value.", v);
                        }

                        values.Add(v.Value);
                    }

                    block.Values[p.Name] = values;
                }

                return block;
            }

            private void ReadCondition(JsonNode node, PolicyStatement st)
            {
                if (!(node is JsonObject ops))
                {
                    throw Fail("Condition", "'Condition' must be an object such as {\"StringEquals\": {\"s3:prefix\": \"backup/\"}}, got " + Describe(node) + ".", node);
                }

                CheckDuplicates(ops, "Condition", "condition operator");
                foreach (JsonProperty op in ops.Properties)
                {
                    CheckOperator(op.Name, _index!.Value, _sid, new JsonString(op.Name, op.Line, op.Column));
                    if (!(op.Value is JsonObject keys))
                    {
                        throw Fail("Condition", "condition operator " + Quote(op.Name) + " must map to an object of keys, such as {\"s3:prefix\": \"backup/\"}, got " + Describe(op.Value) + ".", op.Value);
                    }

                    if (keys.Count == 0)
                    {
                        throw Fail("Condition", "condition operator " + Quote(op.Name) + " must contain at least one condition key.", keys);
                    }

                    CheckDuplicates(keys, "Condition", "condition key under " + Quote(op.Name));
                    foreach (JsonProperty key in keys.Properties)
                    {
                        if (key.Name.Length == 0)
                        {
                            throw Fail("Condition", "condition key names under " + Quote(op.Name) + " must not be empty; use a key such as \"s3:prefix\".", key.Value);
                        }

                        var values = new List<string>();
                        if (key.Value is JsonArray arr)
                        {
                            if (arr.Count == 0)
                            {
                                throw Fail("Condition", "condition key " + Quote(key.Name) + " under " + Quote(op.Name) + " must have at least one value.", arr);
                            }

                            foreach (JsonNode item in arr)
                            {
                                values.Add(ConditionValue(item, op.Name, key.Name));
                            }
                        }
                        else
                        {
                            values.Add(ConditionValue(key.Value, op.Name, key.Name));
                        }

                        st.Conditions.Add(new ConditionClause(op.Name, key.Name, values));
                    }
                }
            }

            private string ConditionValue(JsonNode node, string op, string key)
            {
                switch (node)
                {
                    case JsonString s:
                        return s.Value;
                    case JsonNumber n:
                        return n.RawText;
                    case JsonBoolean b:
                        return b.RawText;
                    default:
                        throw Fail("Condition", "condition key " + Quote(key) + " under " + Quote(op) + " must have a string, number or boolean value (or an array of them), got " + Describe(node) + ".", node);
                }
            }

            private List<JsonString> ReadStringList(JsonNode node, string field, string example)
            {
                var list = new List<JsonString>();
                if (node is JsonString s)
                {
                    list.Add(s);
                    return list;
                }

                if (node is JsonArray arr)
                {
                    if (arr.Count == 0)
                    {
                        throw Fail(field, "'" + field + "' must not be an empty array; give at least one value such as " + example + ".", arr);
                    }

                    foreach (JsonNode item in arr)
                    {
                        if (!(item is JsonString itemString))
                        {
                            throw Fail(field, "'" + field + "' values must be strings such as " + example + ", got " + Describe(item) + ".", item);
                        }

                        list.Add(itemString);
                    }

                    return list;
                }

                throw Fail(field, "'" + field + "' must be a string or an array of strings such as " + example + ", got " + Describe(node) + ".", node);
            }

            private string AsString(JsonNode node, string field, string example)
            {
                if (node is JsonString s)
                {
                    return s.Value;
                }

                throw Fail(field, "'" + field + "' must be a string such as " + example + ", got " + Describe(node) + ".", node);
            }

            private void CheckKeys(JsonObject obj, string[] allowed, string what, string allowedList, string? fieldOverride = null)
            {
                CheckDuplicates(obj, fieldOverride, what);
                foreach (JsonProperty p in obj.Properties)
                {
                    if (Array.IndexOf(allowed, p.Name) >= 0)
                    {
                        continue;
                    }

                    string hint = string.Empty;
                    foreach (string a in allowed)
                    {
                        if (string.Equals(a, p.Name, StringComparison.OrdinalIgnoreCase))
                        {
                            hint = " (names are case-sensitive: did you mean '" + a + "'?)";
                            break;
                        }
                    }

                    throw Fail(fieldOverride ?? p.Name, "unknown " + what + " '" + p.Name + "'" + hint + "; allowed: " + allowedList + ".", p.Line, p.Column);
                }
            }

            private void CheckDuplicates(JsonObject obj, string? field, string what)
            {
                for (int a = 1; a < obj.Properties.Count; a++)
                {
                    for (int b = 0; b < a; b++)
                    {
                        if (obj.Properties[a].Name == obj.Properties[b].Name)
                        {
                            JsonProperty dup = obj.Properties[a];
                            throw Fail(field ?? dup.Name, what + " '" + dup.Name + "' appears more than once; each name may appear only once.", dup.Line, dup.Column);
                        }
                    }
                }
            }

            private PolicyFormatException Fail(string field, string detail, JsonNode at) => Grammar(_index, _sid, field, detail, at);

            private PolicyFormatException Fail(string field, string detail, int line, int column) => Grammar(_index, _sid, field, detail, null, line, column);
        }
    }
}

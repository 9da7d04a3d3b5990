using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using BackupIam.Engine.Json;
using static BackupIam.Engine.Policies.PolicyGrammar;

namespace BackupIam.Engine.Policies
{
    /// <summary>Reads a JSON tree into the model, reporting the first grammar error.</summary>
    internal sealed class PolicyJsonReader
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
                if (v != PolicyDocument.CurrentVersion && v != PolicyJson.LegacyVersion)
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

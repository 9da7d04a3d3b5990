using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Threading;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Json;

namespace BackupIam.Engine.Simulation
{
    /// <summary>
    /// The catalogue of every action of the <c>s3</c> service prefix (names, access levels, resource types and
    /// condition keys), loaded once from the embedded resource <c>BackupIam.Engine.Data.s3-actions.json</c>.
    /// Lookups are case-insensitive and precomputed; the instance is immutable and thread-safe.
    /// </summary>
    public sealed class S3ActionCatalog
    {
        /// <summary>The name of the embedded resource the default catalogue is read from.</summary>
        public const string ResourceName = "BackupIam.Engine.Data.s3-actions.json";

        private const int MaxCachedPatterns = 2048;

        private static readonly Lazy<S3ActionCatalog> DefaultInstance =
            new Lazy<S3ActionCatalog>(LoadDefault, LazyThreadSafetyMode.ExecutionAndPublication);

        private static readonly HashSet<string> GlobalKeys = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "aws:AssumedRoot", "aws:CalledVia", "aws:CalledViaFirst", "aws:CalledViaLast", "aws:CurrentTime",
            "aws:Ec2InstanceSourcePrivateIPv4", "aws:Ec2InstanceSourceVpc", "aws:EpochTime", "aws:FederatedProvider",
            "aws:MultiFactorAuthAge", "aws:MultiFactorAuthPresent", "aws:PrincipalAccount", "aws:PrincipalArn",
            "aws:PrincipalIsAWSService", "aws:PrincipalOrgID", "aws:PrincipalOrgPaths", "aws:PrincipalServiceName",
            "aws:PrincipalServiceNamesList", "aws:PrincipalType", "aws:Referer", "aws:RequestedRegion",
            "aws:ResourceAccount", "aws:ResourceOrgID", "aws:ResourceOrgPaths", "aws:SecureTransport",
            "aws:SourceAccount", "aws:SourceArn", "aws:SourceIdentity", "aws:SourceIp", "aws:SourceOrgID",
            "aws:SourceOrgPaths", "aws:SourceVpc", "aws:SourceVpcArn", "aws:SourceVpce", "aws:TagKeys",
            "aws:TokenIssueTime", "aws:UserAgent", "aws:userid", "aws:username", "aws:ViaAWSService",
            "aws:VpcSourceIp",
        };

        private static readonly string[] GlobalKeyPrefixes =
        {
            "aws:PrincipalTag/", "aws:RequestTag/", "aws:ResourceTag/",
        };

        private readonly Dictionary<string, S3ActionInfo> _byName;
        private readonly string[] _lowerNames;
        private readonly int _longestName;
        private readonly int[][] _nameLetters;
        private readonly ConcurrentDictionary<string, IReadOnlyList<S3ActionInfo>> _matchCache =
            new ConcurrentDictionary<string, IReadOnlyList<S3ActionInfo>>(StringComparer.OrdinalIgnoreCase);

        private S3ActionCatalog(List<S3ActionInfo> actions, string source, string retrieved)
        {
            Actions = actions.AsReadOnly();
            Source = source;
            Retrieved = retrieved;
            _byName = new Dictionary<string, S3ActionInfo>(actions.Count * 2, StringComparer.OrdinalIgnoreCase);
            _lowerNames = new string[actions.Count];
            _nameLetters = new int[actions.Count][];
            for (int i = 0; i < actions.Count; i++)
            {
                S3ActionInfo info = actions[i];
                _byName[info.Name] = info;
                _byName[info.Name.Substring(3)] = info;
                _lowerNames[i] = info.Name.ToLowerInvariant();
                _nameLetters[i] = Letters(_lowerNames[i]);
                _longestName = Math.Max(_longestName, info.Name.Length);
            }
        }

        /// <summary>The catalogue read from the embedded resource; loaded on first use, once.</summary>
        public static S3ActionCatalog Default => DefaultInstance.Value;

        /// <summary>Every action, sorted by name.</summary>
        public IReadOnlyList<S3ActionInfo> Actions { get; }

        /// <summary>Where the data came from.</summary>
        public string Source { get; }

        /// <summary>When the data was taken from its source (ISO date).</summary>
        public string Retrieved { get; }

        /// <summary>
        /// Finds an action by name, case-insensitively; <paramref name="action"/> may be <c>s3:GetObject</c> or
        /// <c>GetObject</c>. Wildcards are not expanded (see <see cref="Match"/>).
        /// </summary>
        public bool TryGet(string action, out S3ActionInfo info)
        {
            if (action != null && _byName.TryGetValue(action, out S3ActionInfo? found))
            {
                info = found;
                return true;
            }

            info = null!;
            return false;
        }

        /// <summary>
        /// The actions that an IAM action pattern matches: <c>*</c> matches any run of characters and <c>?</c> one
        /// character, case-insensitively. The pattern must carry the service prefix (<c>s3:Put*</c>), except the bare
        /// <c>*</c> which matches every action. Patterns of another service match nothing. Results are cached.
        /// </summary>
        public IReadOnlyList<S3ActionInfo> Match(string pattern)
        {
            if (string.IsNullOrEmpty(pattern))
            {
                return Array.Empty<S3ActionInfo>();
            }

            if (_matchCache.TryGetValue(pattern, out IReadOnlyList<S3ActionInfo>? cached))
            {
                return cached;
            }

            IReadOnlyList<S3ActionInfo> result = ComputeMatch(pattern);
            if (_matchCache.Count < MaxCachedPatterns)
            {
                _matchCache.TryAdd(pattern, result);
            }

            return result;
        }

        /// <summary>
        /// The catalogue action whose name is closest to <paramref name="action"/> (case-insensitive edit distance of at
        /// most a fifth of its length, and at least 2), or null when none is that close.
        /// </summary>
        public string? FindClosest(string action)
        {
            if (string.IsNullOrEmpty(action))
            {
                return null;
            }

            string target = (action.IndexOf(':') < 0 ? "s3:" + action : action).ToLowerInvariant();
            int allowed = Math.Max(2, target.Length / 5);
            // Only a distance of at most `allowed` is ever used, so a name is skipped when a cheap lower bound (the letters
            // one has and the other lacks) already reaches it, and each comparison stops as soon as it exceeds it (or the
            // best so far): a policy with hundreds of unknown actions stays within issue 15's 100 ms per input.
            int cap = allowed + 1;
            string? best = null;
            int bestDistance = cap;
            var prev = new int[_longestName + 1];
            var cur = new int[_longestName + 1];
            int[] letters = Letters(target);
            for (int i = 0; i < _lowerNames.Length; i++)
            {
                if (Math.Abs(target.Length - _lowerNames[i].Length) >= bestDistance || BagDistance(letters, _nameLetters[i]) >= bestDistance)
                {
                    continue;
                }

                int d = Distance(target, _lowerNames[i], bestDistance, prev, cur);
                if (d < bestDistance)
                {
                    bestDistance = d;
                    best = Actions[i].Name;
                }
            }

            return best;
        }

        /// <summary>
        /// The catalogue name of the one action a request makes: <c>s3:putobject</c> and <c>PutObject</c> give
        /// <c>s3:PutObject</c>. Patterns and unknown names are refused, naming <paramref name="parameterName"/>.
        /// </summary>
        /// <exception cref="InputValidationException">
        /// <c>ActionWildcardNotAllowed</c> for a pattern such as <c>s3:Put*</c>; <c>ActionUnknown</c> for a name the
        /// catalogue does not have (with the nearest real action when there is one).
        /// </exception>
        public string ResolveRequestAction(string action, string parameterName)
        {
            string name = (action ?? string.Empty).Trim();
            if (name.IndexOf('*') >= 0 || name.IndexOf('?') >= 0)
            {
                throw new InputValidationException(
                    "ActionWildcardNotAllowed", parameterName,
                    "-" + parameterName + " '" + name + "' is a pattern, but a request makes exactly one action, such as s3:PutObject. "
                    + "Run without -" + parameterName + " to see the access matrix of every action.")
                {
                    Target = action,
                };
            }

            if (TryGet(name, out S3ActionInfo info))
            {
                return info.Name;
            }

            string? closest = FindClosest(name);
            throw new InputValidationException(
                "ActionUnknown", parameterName,
                "-" + parameterName + " '" + name + "' is not an action of the S3 catalogue"
                + (closest != null ? "; did you mean '" + closest + "'?" : "; give an S3 action such as s3:PutObject or s3:ListBucket."))
            {
                Target = action,
            };
        }

        /// <summary>How often each letter, digit and other character (one bin) occurs in a lower-cased name.</summary>
        private static int[] Letters(string lower)
        {
            var counts = new int[37];
            foreach (char c in lower)
            {
                counts[c >= 'a' && c <= 'z' ? c - 'a' : c >= '0' && c <= '9' ? 26 + (c - '0') : 36]++;
            }

            return counts;
        }

        /// <summary>A lower bound of the edit distance: the larger of the characters only one side has, counted per bin.</summary>
        private static int BagDistance(int[] a, int[] b)
        {
            int more = 0;
            int fewer = 0;
            for (int k = 0; k < a.Length; k++)
            {
                int d = a[k] - b[k];
                if (d > 0)
                {
                    more += d;
                }
                else
                {
                    fewer -= d;
                }
            }

            return Math.Max(more, fewer);
        }

        /// <summary>The edit distance of a and b, or <paramref name="cap"/> when it is at least that (rows in the given buffers).</summary>
        private static int Distance(string a, string b, int cap, int[] prev, int[] cur)
        {
            if (Math.Abs(a.Length - b.Length) >= cap)
            {
                return cap;
            }

            for (int j = 0; j <= b.Length; j++)
            {
                prev[j] = j;
            }

            for (int i = 1; i <= a.Length; i++)
            {
                cur[0] = i;
                int rowMin = cur[0];
                for (int j = 1; j <= b.Length; j++)
                {
                    int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                    cur[j] = Math.Min(Math.Min(prev[j] + 1, cur[j - 1] + 1), prev[j - 1] + cost);
                    rowMin = Math.Min(rowMin, cur[j]);
                }

                if (rowMin >= cap)
                {
                    return cap;
                }

                int[] t = prev;
                prev = cur;
                cur = t;
            }

            return Math.Min(prev[b.Length], cap);
        }

        /// <summary>
        /// True when <paramref name="key"/> is a known AWS global condition key (<c>aws:SecureTransport</c>,
        /// <c>aws:SourceIp</c>, <c>aws:PrincipalTag/team</c>, ...), compared case-insensitively.
        /// </summary>
        public static bool IsKnownGlobalConditionKey(string key)
        {
            if (string.IsNullOrEmpty(key))
            {
                return false;
            }

            if (GlobalKeys.Contains(key))
            {
                return true;
            }

            foreach (string prefix in GlobalKeyPrefixes)
            {
                if (key.Length > prefix.Length && key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>Maps a resource type name of the reference (bucket, object, storagelensgroup, ...) to <see cref="S3ResourceType"/>.</summary>
        public static S3ResourceType ParseResourceType(string name)
        {
            switch ((name ?? string.Empty).ToLowerInvariant())
            {
                case "":
                case "*":
                    return S3ResourceType.Any;
                case "bucket":
                    return S3ResourceType.Bucket;
                case "object":
                    return S3ResourceType.Object;
                case "accesspoint":
                    return S3ResourceType.AccessPoint;
                case "multiregionaccesspoint":
                    return S3ResourceType.MultiRegionAccessPoint;
                case "job":
                    return S3ResourceType.Job;
                case "storagelensconfiguration":
                case "storagelensgroup":
                    return S3ResourceType.StorageLens;
                case "accessgrantsinstance":
                case "accessgrantslocation":
                case "accessgrant":
                    return S3ResourceType.AccessGrants;
                case "objectlambdaaccesspoint":
                    return S3ResourceType.ObjectLambdaAccessPoint;
                default:
                    return S3ResourceType.Other;
            }
        }

        /// <summary>Parses catalogue JSON of the embedded resource's shape. Exposed for tests.</summary>
        internal static S3ActionCatalog Parse(string json)
        {
            JsonNode root = JsonReader.Parse(json);
            if (!(root is JsonObject obj) || !(obj["actions"] is JsonArray array))
            {
                throw new InvalidDataException("The S3 action catalogue must be an object with an \"actions\" array.");
            }

            var actions = new List<S3ActionInfo>(array.Count);
            foreach (JsonNode item in array)
            {
                if (!(item is JsonObject a) || !(a["name"] is JsonString name))
                {
                    throw new InvalidDataException(
                        "Each entry of \"actions\" in the S3 action catalogue must be an object with a string \"name\" (line "
                        + item.Line.ToString(System.Globalization.CultureInfo.InvariantCulture) + ").");
                }

                string accessLevel = a["accessLevel"] is JsonString level ? level.Value : string.Empty;
                List<string> typeNames = ReadStrings(a["resourceTypes"]);
                var types = new List<S3ResourceType>(typeNames.Count);
                foreach (string typeName in typeNames)
                {
                    S3ResourceType type = ParseResourceType(typeName);
                    if (!types.Contains(type))
                    {
                        types.Add(type);
                    }
                }

                string fullName = name.Value.StartsWith("s3:", StringComparison.OrdinalIgnoreCase)
                    ? "s3:" + name.Value.Substring(3)
                    : "s3:" + name.Value;
                actions.Add(new S3ActionInfo(
                    fullName,
                    accessLevel,
                    types.AsReadOnly(),
                    typeNames.AsReadOnly(),
                    ReadStrings(a["conditionKeys"]).AsReadOnly()));
            }

            actions.Sort((x, y) => string.Compare(x.Name, y.Name, StringComparison.OrdinalIgnoreCase));
            string source = obj["source"] is JsonString s ? s.Value : string.Empty;
            string retrieved = obj["retrieved"] is JsonString r ? r.Value : string.Empty;
            return new S3ActionCatalog(actions, source, retrieved);
        }

        private static List<string> ReadStrings(JsonNode? node)
        {
            var list = new List<string>();
            if (node is JsonArray array)
            {
                foreach (JsonNode item in array)
                {
                    if (item is JsonString s)
                    {
                        list.Add(s.Value);
                    }
                }
            }

            return list;
        }

        private static S3ActionCatalog LoadDefault()
        {
            Assembly assembly = typeof(S3ActionCatalog).GetTypeInfo().Assembly;
            using (Stream? stream = assembly.GetManifestResourceStream(ResourceName))
            {
                if (stream == null)
                {
                    throw new InvalidOperationException(
                        "The embedded resource '" + ResourceName + "' is missing from " + assembly.GetName().Name + ".");
                }

                using (var reader = new StreamReader(stream))
                {
                    return Parse(reader.ReadToEnd());
                }
            }
        }

        private IReadOnlyList<S3ActionInfo> ComputeMatch(string pattern)
        {
            bool hasWildcard = pattern.IndexOf('*') >= 0 || pattern.IndexOf('?') >= 0;
            if (!hasWildcard)
            {
                return TryGet(pattern, out S3ActionInfo exact) && pattern.IndexOf(':') > 0
                    ? new[] { exact }
                    : Array.Empty<S3ActionInfo>();
            }

            if (pattern == "*")
            {
                return Actions;
            }

            var result = new List<S3ActionInfo>();
            foreach (S3ActionInfo info in Actions)
            {
                if (IamWildcard.IsMatch(pattern, info.Name))
                {
                    result.Add(info);
                }
            }

            return result.Count == 0 ? Array.Empty<S3ActionInfo>() : (IReadOnlyList<S3ActionInfo>)result.ToArray();
        }
    }

    /// <summary>IAM-style wildcard matching: <c>*</c> is any run of characters (also empty), <c>?</c> exactly one.</summary>
    internal static class IamWildcard
    {
        /// <summary>Case-insensitive (ordinal) match of the whole <paramref name="text"/> against <paramref name="pattern"/>.</summary>
        public static bool IsMatch(string pattern, string text, bool ignoreCase = true)
        {
            int p = 0, t = 0, starP = -1, starT = 0;
            while (t < text.Length)
            {
                if (p < pattern.Length && (pattern[p] == '?' || CharEquals(pattern[p], text[t], ignoreCase)))
                {
                    p++;
                    t++;
                }
                else if (p < pattern.Length && pattern[p] == '*')
                {
                    starP = p++;
                    starT = t;
                }
                else if (starP >= 0)
                {
                    p = starP + 1;
                    t = ++starT;
                }
                else
                {
                    return false;
                }
            }

            while (p < pattern.Length && pattern[p] == '*')
            {
                p++;
            }

            return p == pattern.Length;
        }

        private static bool CharEquals(char a, char b, bool ignoreCase)
        {
            if (a == b)
            {
                return true;
            }

            return ignoreCase && char.ToUpperInvariant(a) == char.ToUpperInvariant(b);
        }
    }
}

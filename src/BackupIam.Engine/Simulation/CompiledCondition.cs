using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using BackupIam.Engine.Policies;

namespace BackupIam.Engine.Simulation
{
    /// <summary>
    /// One condition clause, pre-parsed. Semantics follow the IAM User Guide:
    /// <list type="bullet">
    /// <item>Operators: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html.
    /// Its "Important" note says: if the key in a condition is not present in the request context, the values do
    /// not match and the condition is false; if the condition requires the key to be NOT matched (StringNotLike,
    /// ArnNotLike, ...) and the key is not present, the condition is TRUE. This holds for every operator except
    /// ...IfExists (true when the key is missing) and Null (which tests presence).</item>
    /// <item>Multiple values for one key are OR-ed; for a negated operator they are NOR-ed (none may match):
    /// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html.</item>
    /// <item>Set operators: ForAllValues is true when the key is missing or empty; ForAnyValue is false then:
    /// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html.</item>
    /// </list>
    /// Without a set operator, a request key with several values is treated like ForAnyValue for positive
    /// operators (and its negation for negated ones). Operator names are case-sensitive; an unknown operator
    /// never matches.
    /// </summary>
    internal sealed class CompiledCondition
    {
        private static readonly Dictionary<string, (BaseOp Op, Comparison Cmp, bool Negated)> Operators =
            new Dictionary<string, (BaseOp, Comparison, bool)>(StringComparer.Ordinal)
            {
                ["StringEquals"] = (BaseOp.StringEquals, Comparison.Equal, false),
                ["StringNotEquals"] = (BaseOp.StringEquals, Comparison.Equal, true),
                ["StringEqualsIgnoreCase"] = (BaseOp.StringEqualsIgnoreCase, Comparison.Equal, false),
                ["StringNotEqualsIgnoreCase"] = (BaseOp.StringEqualsIgnoreCase, Comparison.Equal, true),
                ["StringLike"] = (BaseOp.StringLike, Comparison.Equal, false),
                ["StringNotLike"] = (BaseOp.StringLike, Comparison.Equal, true),
                ["NumericEquals"] = (BaseOp.Numeric, Comparison.Equal, false),
                ["NumericNotEquals"] = (BaseOp.Numeric, Comparison.Equal, true),
                ["NumericLessThan"] = (BaseOp.Numeric, Comparison.Less, false),
                ["NumericLessThanEquals"] = (BaseOp.Numeric, Comparison.LessOrEqual, false),
                ["NumericGreaterThan"] = (BaseOp.Numeric, Comparison.Greater, false),
                ["NumericGreaterThanEquals"] = (BaseOp.Numeric, Comparison.GreaterOrEqual, false),
                ["DateEquals"] = (BaseOp.Date, Comparison.Equal, false),
                ["DateNotEquals"] = (BaseOp.Date, Comparison.Equal, true),
                ["DateLessThan"] = (BaseOp.Date, Comparison.Less, false),
                ["DateLessThanEquals"] = (BaseOp.Date, Comparison.LessOrEqual, false),
                ["DateGreaterThan"] = (BaseOp.Date, Comparison.Greater, false),
                ["DateGreaterThanEquals"] = (BaseOp.Date, Comparison.GreaterOrEqual, false),
                ["Bool"] = (BaseOp.Bool, Comparison.Equal, false),
                ["BinaryEquals"] = (BaseOp.Binary, Comparison.Equal, false),
                ["IpAddress"] = (BaseOp.Ip, Comparison.Equal, false),
                ["NotIpAddress"] = (BaseOp.Ip, Comparison.Equal, true),
                ["ArnEquals"] = (BaseOp.Arn, Comparison.Equal, false),
                ["ArnNotEquals"] = (BaseOp.Arn, Comparison.Equal, true),
                ["ArnLike"] = (BaseOp.Arn, Comparison.Equal, false),
                ["ArnNotLike"] = (BaseOp.Arn, Comparison.Equal, true),
                ["Null"] = (BaseOp.Null, Comparison.Equal, false),
            };

        private readonly BaseOp _op;
        private readonly Comparison _cmp;
        private readonly bool _negated;
        private readonly bool _ifExists;
        private readonly SetQualifier _qualifier;
        private readonly ValueTemplate<GlobPattern>[]? _strings;
        private readonly ValueTemplate<ArnPattern>[]? _arns;
        private readonly decimal?[]? _numbers;
        private readonly DateTimeOffset?[]? _dates;
        private readonly IpRange?[]? _ranges;
        private readonly string[] _raw;

        public CompiledCondition(ConditionClause clause, bool variables)
        {
            Operator = clause.Operator;
            Key = clause.Key;
            _raw = clause.Values.ToArray();
            string name = clause.Operator;
            if (name.StartsWith("ForAnyValue:", StringComparison.Ordinal))
            {
                _qualifier = SetQualifier.ForAnyValue;
                name = name.Substring("ForAnyValue:".Length);
            }
            else if (name.StartsWith("ForAllValues:", StringComparison.Ordinal))
            {
                _qualifier = SetQualifier.ForAllValues;
                name = name.Substring("ForAllValues:".Length);
            }

            if (name.EndsWith("IfExists", StringComparison.Ordinal) && name != "IfExists")
            {
                _ifExists = true;
                name = name.Substring(0, name.Length - "IfExists".Length);
            }

            if (!Operators.TryGetValue(name, out var info) || (info.Op == BaseOp.Null && (_ifExists || _qualifier != SetQualifier.None)))
            {
                IsUnknown = true;
                return;
            }

            (_op, _cmp, _negated) = info;
            switch (_op)
            {
                case BaseOp.StringEquals:
                case BaseOp.StringEqualsIgnoreCase:
                case BaseOp.StringLike:
                case BaseOp.Bool:
                {
                    bool ignoreCase = _op == BaseOp.StringEqualsIgnoreCase || _op == BaseOp.Bool;
                    bool wildcards = _op == BaseOp.StringLike;
                    _strings = new ValueTemplate<GlobPattern>[_raw.Length];
                    for (int i = 0; i < _raw.Length; i++)
                    {
                        _strings[i] = ValueTemplate<GlobPattern>.Create(
                            _raw[i],
                            variables,
                            (text, literal) => wildcards ? GlobPattern.Wildcard(text, ignoreCase, literal) : GlobPattern.Exact(text, ignoreCase));
                    }

                    break;
                }

                case BaseOp.Arn:
                    _arns = new ValueTemplate<ArnPattern>[_raw.Length];
                    for (int i = 0; i < _raw.Length; i++)
                    {
                        _arns[i] = ValueTemplate<ArnPattern>.Create(_raw[i], variables, ArnPattern.Create);
                    }

                    break;
                case BaseOp.Numeric:
                    _numbers = new decimal?[_raw.Length];
                    for (int i = 0; i < _raw.Length; i++)
                    {
                        _numbers[i] = ParseNumber(_raw[i]);
                    }

                    break;
                case BaseOp.Date:
                    _dates = new DateTimeOffset?[_raw.Length];
                    for (int i = 0; i < _raw.Length; i++)
                    {
                        _dates[i] = ParseDate(_raw[i]);
                    }

                    break;
                case BaseOp.Ip:
                    _ranges = new IpRange?[_raw.Length];
                    for (int i = 0; i < _raw.Length; i++)
                    {
                        _ranges[i] = IpRange.Parse(_raw[i]);
                    }

                    break;
            }
        }

        private enum BaseOp
        {
            StringEquals,
            StringEqualsIgnoreCase,
            StringLike,
            Numeric,
            Date,
            Bool,
            Binary,
            Ip,
            Arn,
            Null,
        }

        private enum Comparison
        {
            Equal,
            Less,
            LessOrEqual,
            Greater,
            GreaterOrEqual,
        }

        private enum SetQualifier
        {
            None,
            ForAnyValue,
            ForAllValues,
        }

        /// <summary>The operator as written.</summary>
        public string Operator { get; }

        /// <summary>The condition key as written.</summary>
        public string Key { get; }

        /// <summary>True when the operator is not a known IAM condition operator.</summary>
        public bool IsUnknown { get; }

        /// <summary>Evaluates the clause for <paramref name="request"/>.</summary>
        public bool Evaluate(EvaluationRequest request)
        {
            if (IsUnknown)
            {
                return false;
            }

            IReadOnlyList<string>? values;
            if (!request.Context.TryGetValue(Key, out values) || values == null)
            {
                values = request.Principal.GetKeyValues(Key);
            }

            bool missing = values == null || values.Count == 0;
            if (_op == BaseOp.Null)
            {
                for (int i = 0; i < _raw.Length; i++)
                {
                    string v = _raw[i];
                    if ((string.Equals(v, "true", StringComparison.OrdinalIgnoreCase) && missing)
                        || (string.Equals(v, "false", StringComparison.OrdinalIgnoreCase) && !missing))
                    {
                        return true;
                    }
                }

                return false;
            }

            switch (_qualifier)
            {
                case SetQualifier.ForAllValues:
                    if (missing)
                    {
                        return true;
                    }

                    for (int i = 0; i < values!.Count; i++)
                    {
                        if (MatchesAny(values[i], request) == _negated)
                        {
                            return false;
                        }
                    }

                    return true;
                case SetQualifier.ForAnyValue:
                    if (missing)
                    {
                        return _ifExists;
                    }

                    for (int i = 0; i < values!.Count; i++)
                    {
                        if (MatchesAny(values[i], request) != _negated)
                        {
                            return true;
                        }
                    }

                    return false;
                default:
                    if (missing)
                    {
                        return _ifExists || _negated;
                    }

                    bool any = false;
                    for (int i = 0; i < values!.Count && !any; i++)
                    {
                        any = MatchesAny(values[i], request);
                    }

                    return any != _negated;
            }
        }

        /// <summary>True when the request value matches at least one policy value under the positive operator.</summary>
        private bool MatchesAny(string value, EvaluationRequest request)
        {
            switch (_op)
            {
                case BaseOp.StringEquals:
                case BaseOp.StringEqualsIgnoreCase:
                case BaseOp.StringLike:
                case BaseOp.Bool:
                    foreach (var template in _strings!)
                    {
                        var pattern = template.Resolve(request);
                        if (pattern != null && pattern.IsMatch(value))
                        {
                            return true;
                        }
                    }

                    return false;
                case BaseOp.Arn:
                    foreach (var template in _arns!)
                    {
                        var pattern = template.Resolve(request);
                        if (pattern != null && pattern.IsMatch(value))
                        {
                            return true;
                        }
                    }

                    return false;
                case BaseOp.Numeric:
                {
                    decimal? actual = ParseNumber(value);
                    if (actual == null)
                    {
                        return false;
                    }

                    foreach (var expected in _numbers!)
                    {
                        if (expected != null && Compare(actual.Value.CompareTo(expected.Value)))
                        {
                            return true;
                        }
                    }

                    return false;
                }

                case BaseOp.Date:
                {
                    DateTimeOffset? actual = ParseDate(value);
                    if (actual == null)
                    {
                        return false;
                    }

                    foreach (var expected in _dates!)
                    {
                        if (expected != null && Compare(actual.Value.CompareTo(expected.Value)))
                        {
                            return true;
                        }
                    }

                    return false;
                }

                case BaseOp.Ip:
                {
                    if (!IPAddress.TryParse(value, out var address))
                    {
                        return false;
                    }

                    foreach (var range in _ranges!)
                    {
                        if (range != null && range.Contains(address))
                        {
                            return true;
                        }
                    }

                    return false;
                }

                case BaseOp.Binary:
                    foreach (var expected in _raw)
                    {
                        if (BinaryEqual(expected, value))
                        {
                            return true;
                        }
                    }

                    return false;
                default:
                    return false;
            }
        }

        private bool Compare(int sign)
        {
            switch (_cmp)
            {
                case Comparison.Less:
                    return sign < 0;
                case Comparison.LessOrEqual:
                    return sign <= 0;
                case Comparison.Greater:
                    return sign > 0;
                case Comparison.GreaterOrEqual:
                    return sign >= 0;
                default:
                    return sign == 0;
            }
        }

        private static decimal? ParseNumber(string text) =>
            decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : (decimal?)null;

        /// <summary>ISO 8601 (e.g. 2024-01-31T12:00:00Z, dates without a zone are UTC) or epoch seconds (e.g. 1706702400).</summary>
        internal static DateTimeOffset? ParseDate(string text)
        {
            if (text.Length == 0)
            {
                return null;
            }

            bool numeric = true;
            foreach (char c in text)
            {
                if (!((c >= '0' && c <= '9') || c == '.' || c == '-'))
                {
                    numeric = false;
                    break;
                }
            }

            if (numeric && text.IndexOf('-', 1) < 0
                && decimal.TryParse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds))
            {
                try
                {
                    return DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000m));
                }
                catch (ArgumentOutOfRangeException)
                {
                    return null;
                }
                catch (OverflowException)
                {
                    return null;
                }
            }

            return DateTimeOffset.TryParse(
                text,
                CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal,
                out var date)
                ? date
                : (DateTimeOffset?)null;
        }

        private static bool BinaryEqual(string expected, string actual)
        {
            if (string.Equals(expected, actual, StringComparison.Ordinal))
            {
                return true;
            }

            try
            {
                byte[] a = Convert.FromBase64String(expected);
                byte[] b = Convert.FromBase64String(actual);
                if (a.Length != b.Length)
                {
                    return false;
                }

                for (int i = 0; i < a.Length; i++)
                {
                    if (a[i] != b[i])
                    {
                        return false;
                    }
                }

                return true;
            }
            catch (FormatException)
            {
                return false;
            }
        }
    }

    /// <summary>An ARN pattern for ArnEquals/ArnLike: each of the six colon-separated parts is matched on its own, with wildcards.</summary>
    internal sealed class ArnPattern
    {
        private readonly GlobPattern[]? _parts;

        private ArnPattern(GlobPattern[]? parts)
        {
            _parts = parts;
        }

        public static ArnPattern Create(string text, bool[]? literal)
        {
            var parts = new GlobPattern[6];
            int start = 0;
            for (int i = 0; i < 6; i++)
            {
                int end = i == 5 ? text.Length : text.IndexOf(':', start);
                if (end < 0)
                {
                    return new ArnPattern(null);
                }

                bool[]? mask = null;
                if (literal != null)
                {
                    mask = new bool[end - start];
                    Array.Copy(literal, start, mask, 0, end - start);
                }

                parts[i] = GlobPattern.Wildcard(text.Substring(start, end - start), ignoreCase: false, mask);
                start = end + 1;
            }

            return new ArnPattern(parts);
        }

        public bool IsMatch(string arn)
        {
            if (_parts == null)
            {
                return false;
            }

            int start = 0;
            for (int i = 0; i < 6; i++)
            {
                int end = i == 5 ? arn.Length : arn.IndexOf(':', start);
                if (end < 0 || !_parts[i].IsMatch(arn, start, end))
                {
                    return false;
                }

                start = end + 1;
            }

            return true;
        }
    }

    /// <summary>An IPv4 or IPv6 CIDR block (a bare address is a /32 or /128).</summary>
    internal sealed class IpRange
    {
        private readonly byte[] _network;
        private readonly int _bits;

        private IpRange(byte[] network, int bits)
        {
            _network = network;
            _bits = bits;
        }

        public static IpRange? Parse(string text)
        {
            int slash = text.IndexOf('/');
            string addressText = slash < 0 ? text : text.Substring(0, slash);
            if (!IPAddress.TryParse(addressText, out var address))
            {
                return null;
            }

            byte[] bytes = address.GetAddressBytes();
            int bits = bytes.Length * 8;
            if (slash >= 0 && (!int.TryParse(text.Substring(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out bits) || bits > bytes.Length * 8))
            {
                return null;
            }

            return new IpRange(bytes, bits);
        }

        public bool Contains(IPAddress address)
        {
            byte[] bytes = address.GetAddressBytes();
            if (bytes.Length != _network.Length && address.IsIPv4MappedToIPv6 && _network.Length == 4)
            {
                bytes = address.MapToIPv4().GetAddressBytes();
            }

            if (bytes.Length != _network.Length)
            {
                return false;
            }

            int full = _bits / 8;
            for (int i = 0; i < full; i++)
            {
                if (bytes[i] != _network[i])
                {
                    return false;
                }
            }

            int rest = _bits % 8;
            if (rest == 0)
            {
                return true;
            }

            int mask = (0xFF << (8 - rest)) & 0xFF;
            return (bytes[full] & mask) == (_network[full] & mask);
        }
    }
}

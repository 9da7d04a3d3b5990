using System;
using System.Collections.Generic;
using BackupIam.Engine.Policies;

namespace BackupIam.Engine.Simulation
{
    /// <summary>A policy with every pattern pre-compiled. Immutable once built (apart from thread-safe caches).</summary>
    internal sealed class CompiledPolicy
    {
        public CompiledPolicy(NamedPolicy policy)
        {
            Source = policy;
            Snapshot = DocumentSnapshot.Take(policy.Document);
            // Policy variables exist only in 2012-10-17; a document without Version is evaluated as 2008-10-17.
            bool variables = string.Equals(policy.Document.EffectiveVersion, PolicyDocument.CurrentVersion, StringComparison.Ordinal);
            var statements = policy.Document.Statements;
            Statements = new CompiledStatement[statements.Count];
            for (int i = 0; i < statements.Count; i++)
            {
                Statements[i] = new CompiledStatement(policy, i, statements[i], variables);
            }
        }

        public NamedPolicy Source { get; }

        public DocumentSnapshot Snapshot { get; }

        public CompiledStatement[] Statements { get; }
    }

    /// <summary>One statement, pre-compiled.</summary>
    internal sealed class CompiledStatement
    {
        private readonly GlobPattern[] _actions;
        private readonly bool _notAction;
        private readonly ValueTemplate<GlobPattern>[] _resources;
        private readonly bool _notResource;
        private readonly PrincipalBlock? _principal;
        private readonly PrincipalBlock? _notPrincipal;
        private readonly CompiledCondition[] _conditions;

        public CompiledStatement(NamedPolicy policy, int index, PolicyStatement statement, bool variables)
        {
            Index = index;
            Sid = statement.Sid;
            PolicyName = policy.Name;
            IsDeny = statement.Effect == PolicyEffect.Deny;
            Label = StatementLabel.Format(policy.Name, index, statement.Sid);
            _notAction = statement.IsNotAction;
            _actions = new GlobPattern[statement.Actions.Count];
            for (int i = 0; i < _actions.Length; i++)
            {
                _actions[i] = GlobPattern.Wildcard(statement.Actions[i], ignoreCase: true);
            }

            _notResource = statement.IsNotResource;
            _resources = new ValueTemplate<GlobPattern>[statement.Resources.Count];
            for (int i = 0; i < _resources.Length; i++)
            {
                _resources[i] = ValueTemplate<GlobPattern>.Create(
                    statement.Resources[i], variables, (text, literal) => GlobPattern.Wildcard(text, ignoreCase: false, literal));
            }

            _conditions = new CompiledCondition[statement.Conditions.Count];
            for (int i = 0; i < _conditions.Length; i++)
            {
                _conditions[i] = new CompiledCondition(statement.Conditions[i], variables);
                if (_conditions[i].IsUnknown && UnknownOperatorNote == null)
                {
                    UnknownOperatorNote = "condition operator '" + _conditions[i].Operator + "' in " + Label
                        + " is not a known IAM operator, so that clause never matches";
                }
            }

            _principal = statement.Principal;
            _notPrincipal = statement.NotPrincipal;
            bool hasPrincipal = _principal != null || _notPrincipal != null;

            // Identity policies may not name a principal; resource policies must. Invalid statements never apply.
            IsIgnored = policy.IsResourcePolicy ? !hasPrincipal : hasPrincipal;
        }

        public int Index { get; }

        public string? Sid { get; }

        public string PolicyName { get; }

        public bool IsDeny { get; }

        /// <summary>"PolicyName/Statement[i] (Sid)".</summary>
        public string Label { get; }

        /// <summary>True when the statement can never apply (Principal in an identity policy, none in a resource policy).</summary>
        public bool IsIgnored { get; }

        public string? UnknownOperatorNote { get; }

        /// <summary>True when the statement's action and resource (and principal, for resource policies) match the request.</summary>
        public bool MatchesTarget(EvaluationRequest request) => MatchTarget(request) == TargetMatch.Yes;

        /// <summary>
        /// As <see cref="MatchesTarget"/>, but tells apart an Allow of a resource policy that names only the principal's
        /// account (<c>arn:aws:iam::ACCOUNT:root</c> or the bare id): that delegates to the account's own IAM policies
        /// and grants nothing by itself, while the same principal in a Deny does apply to every identity of the account.
        /// </summary>
        public TargetMatch MatchTarget(EvaluationRequest request)
        {
            if (IsIgnored || !MatchesAction(request.Action) || !MatchesResource(request))
            {
                return TargetMatch.No;
            }

            if (_principal != null)
            {
                PrincipalMatch match = PrincipalMatcher.Match(_principal, request.Principal);
                if (match == PrincipalMatch.None)
                {
                    return TargetMatch.No;
                }

                if (match == PrincipalMatch.Account && !IsDeny)
                {
                    return TargetMatch.AccountDelegated;
                }
            }

            // NotPrincipal: the statement applies to every principal NOT listed.
            return _notPrincipal == null || !PrincipalMatcher.Matches(_notPrincipal, request.Principal) ? TargetMatch.Yes : TargetMatch.No;
        }

        /// <summary>True when every condition clause holds (AND).</summary>
        public bool ConditionsHold(EvaluationRequest request)
        {
            for (int i = 0; i < _conditions.Length; i++)
            {
                if (!_conditions[i].Evaluate(request))
                {
                    return false;
                }
            }

            return true;
        }

        private bool MatchesAction(string action)
        {
            bool any = false;
            for (int i = 0; i < _actions.Length && !any; i++)
            {
                any = _actions[i].IsMatch(action);
            }

            return any != _notAction;
        }

        private bool MatchesResource(EvaluationRequest request)
        {
            if (_resources.Length == 0 && !_notResource)
            {
                return false;
            }

            bool any = false;
            for (int i = 0; i < _resources.Length && !any; i++)
            {
                var pattern = _resources[i].Resolve(request);
                any = pattern != null && pattern.IsMatch(request.Resource);
            }

            return any != _notResource;
        }
    }

    /// <summary>How a statement's target matches a request.</summary>
    internal enum TargetMatch
    {
        /// <summary>Action, resource or principal do not match.</summary>
        No,

        /// <summary>The statement applies.</summary>
        Yes,

        /// <summary>A resource-policy Allow that names only the principal's account: it grants nothing by itself.</summary>
        AccountDelegated,
    }

    /// <summary>How a Principal element names a principal.</summary>
    internal enum PrincipalMatch
    {
        /// <summary>Not named.</summary>
        None,

        /// <summary>Named only through its account (the root ARN or the bare 12-digit id).</summary>
        Account,

        /// <summary>Named directly: "*", {"AWS":"*"} or its own ARN.</summary>
        Direct,
    }

    /// <summary>
    /// Same-account principal matching: "*", {"AWS":"*"}, the principal ARN, the account root ARN or the bare account id.
    /// Other principal types (Service, Federated, CanonicalUser) never match an IAM principal.
    /// </summary>
    internal static class PrincipalMatcher
    {
        /// <summary>True when the block names the principal directly or through its account.</summary>
        public static bool Matches(PrincipalBlock block, PrincipalInfo principal) => Match(block, principal) != PrincipalMatch.None;

        /// <summary>Whether the block names the principal directly, only through its account, or not at all.</summary>
        public static PrincipalMatch Match(PrincipalBlock block, PrincipalInfo principal)
        {
            if (block.IsWildcard)
            {
                return PrincipalMatch.Direct;
            }

            if (!block.Values.TryGetValue("AWS", out var values))
            {
                return PrincipalMatch.None;
            }

            var result = PrincipalMatch.None;
            foreach (string value in values)
            {
                if (value == "*" || string.Equals(value, principal.Arn, StringComparison.Ordinal))
                {
                    return PrincipalMatch.Direct;
                }

                if (string.Equals(value, principal.AccountId, StringComparison.Ordinal) || IsRootOf(value, principal))
                {
                    result = PrincipalMatch.Account;
                }
            }

            return result;
        }

        private static bool IsRootOf(string value, PrincipalInfo principal) =>
            value.EndsWith(":root", StringComparison.Ordinal)
            && string.Equals(value, principal.AccountRootArn, StringComparison.Ordinal);
    }

    /// <summary>
    /// A cheap record of every reference and flag in a document, so a cached compilation can be checked
    /// against later edits of the (mutable) policy model without allocating.
    /// </summary>
    internal sealed class DocumentSnapshot
    {
        private readonly object?[] _refs;
        private readonly int[] _numbers;

        private DocumentSnapshot(object?[] refs, int[] numbers)
        {
            _refs = refs;
            _numbers = numbers;
        }

        private interface ISink
        {
            bool Ref(object? value);

            bool Num(int value);
        }

        public static DocumentSnapshot Take(PolicyDocument document)
        {
            var recorder = new Recorder(new List<object?>(), new List<int>());
            Walk(document, ref recorder);
            return new DocumentSnapshot(recorder.Refs.ToArray(), recorder.Numbers.ToArray());
        }

        public bool Matches(PolicyDocument document)
        {
            var verifier = new Verifier(_refs, _numbers);
            return Walk(document, ref verifier) && verifier.AtEnd;
        }

        private static bool Walk<TSink>(PolicyDocument d, ref TSink sink)
            where TSink : struct, ISink
        {
            if (!sink.Ref(d.Version) || !sink.Num(d.VersionMissing ? 1 : 0) || !sink.Num(d.Statements.Count))
            {
                return false;
            }

            foreach (var s in d.Statements)
            {
                if (!sink.Ref(s) || !sink.Ref(s.Sid)
                    || !sink.Num((int)s.Effect | (s.IsNotAction ? 16 : 0) | (s.IsNotResource ? 32 : 0))
                    || !WalkList(s.Actions, ref sink) || !WalkList(s.Resources, ref sink)
                    || !WalkPrincipal(s.Principal, ref sink) || !WalkPrincipal(s.NotPrincipal, ref sink)
                    || !sink.Num(s.Conditions.Count))
                {
                    return false;
                }

                foreach (var c in s.Conditions)
                {
                    if (!sink.Ref(c) || !WalkList(c.Values, ref sink))
                    {
                        return false;
                    }
                }
            }

            return true;
        }

        private static bool WalkList<TSink>(List<string> list, ref TSink sink)
            where TSink : struct, ISink
        {
            if (!sink.Num(list.Count))
            {
                return false;
            }

            for (int i = 0; i < list.Count; i++)
            {
                if (!sink.Ref(list[i]))
                {
                    return false;
                }
            }

            return true;
        }

        private static bool WalkPrincipal<TSink>(PrincipalBlock? block, ref TSink sink)
            where TSink : struct, ISink
        {
            if (!sink.Ref(block))
            {
                return false;
            }

            if (block == null)
            {
                return true;
            }

            if (!sink.Num((block.IsWildcard ? 1 : 0) | (block.Values.Count << 1)))
            {
                return false;
            }

            foreach (var pair in block.Values)
            {
                if (!sink.Ref(pair.Key) || !WalkList(pair.Value, ref sink))
                {
                    return false;
                }
            }

            return true;
        }

        private struct Recorder : ISink
        {
            public Recorder(List<object?> refs, List<int> numbers)
            {
                Refs = refs;
                Numbers = numbers;
            }

            public List<object?> Refs { get; }

            public List<int> Numbers { get; }

            public bool Ref(object? value)
            {
                Refs.Add(value);
                return true;
            }

            public bool Num(int value)
            {
                Numbers.Add(value);
                return true;
            }
        }

        private struct Verifier : ISink
        {
            private readonly object?[] _refs;
            private readonly int[] _numbers;
            private int _r;
            private int _n;

            public Verifier(object?[] refs, int[] numbers)
            {
                _refs = refs;
                _numbers = numbers;
                _r = 0;
                _n = 0;
            }

            public bool AtEnd => _r == _refs.Length && _n == _numbers.Length;

            public bool Ref(object? value) => _r < _refs.Length && ReferenceEquals(_refs[_r++], value);

            public bool Num(int value) => _n < _numbers.Length && _numbers[_n++] == value;
        }
    }
}

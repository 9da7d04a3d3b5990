using System;
using System.Collections.Generic;
using System.Linq;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Policies;

namespace BackupIam.Engine.Roles
{
    /// <summary>One way a trust policy lets in more than the named runner.</summary>
    public sealed class TrustPolicyProblem
    {
        internal TrustPolicyProblem(string id, bool isError, int statementIndex, string? sid, string? value, string message, string fix)
        {
            Id = id;
            IsError = isError;
            StatementIndex = statementIndex;
            Sid = sid;
            Value = value;
            Message = message;
            Fix = fix;
        }

        /// <summary>Stable id, e.g. <c>TrustPolicySubjectWildcard</c>.</summary>
        public string Id { get; }

        /// <summary>True when the policy lets anyone (of the issuer) in; false for a weaker warning.</summary>
        public bool IsError { get; }

        public int StatementIndex { get; }

        public string? Sid { get; }

        /// <summary>The offending value (a subject, a principal), if any.</summary>
        public string? Value { get; }

        public string Message { get; }

        public string Fix { get; }
    }

    /// <summary>
    /// Builds the trust policy of an OIDC role and finds the classic mistakes in any trust policy: a web-identity
    /// Allow without an audience condition, without a subject condition, with a subject of "*", or (GitHub) with a
    /// repository pattern across owners (<c>repo:*</c>, <c>repo:*/name</c>), and a Principal of "*". The linter's
    /// trust rules and New-BackupRole share these checks.
    /// </summary>
    public static class TrustPolicyGuard
    {
        /// <summary>The action a runner's token is exchanged with.</summary>
        public const string WebIdentityAction = "sts:AssumeRoleWithWebIdentity";

        public const string AudienceMissingId = "TrustPolicyAudienceMissing";
        public const string SubjectMissingId = "TrustPolicySubjectMissing";
        public const string SubjectWildcardId = "TrustPolicySubjectWildcard";
        public const string RepositoryWildcardId = "TrustPolicyRepositoryWildcard";
        public const string PrincipalWildcardId = "TrustPolicyPrincipalWildcard";

        private const string GitHubProviderPath = "token.actions.githubusercontent.com";

        /// <summary>True when the document is a role trust policy: every statement has a Principal and only sts: actions.</summary>
        public static bool IsTrustPolicy(PolicyDocument document)
        {
            if (document == null || document.Statements.Count == 0)
            {
                return false;
            }

            return document.Statements.All(s => s != null && (s.Principal != null || s.NotPrincipal != null) && !s.IsNotAction
                && s.Actions.Count > 0 && s.Actions.All(a => a != null && a.StartsWith("sts:", StringComparison.OrdinalIgnoreCase)));
        }

        /// <summary>The trust policy of a role for <paramref name="source"/>, trusting the provider <paramref name="providerArn"/>.</summary>
        public static PolicyDocument Build(OidcSource source, string providerArn)
        {
            var statement = new PolicyStatement
            {
                Sid = source.Kind == OidcSourceKind.GitHubActions ? "GitHubActions" : source.Kind == OidcSourceKind.AzurePipelines ? "AzurePipelines" : "OidcIssuer",
                Effect = PolicyEffect.Allow,
                Principal = new PrincipalBlock(),
            };
            statement.Principal.Values["Federated"] = new List<string> { providerArn };
            statement.Actions.Add(WebIdentityAction);
            statement.Conditions.Add(new ConditionClause("StringEquals", source.AudienceKey, source.Audiences));
            statement.Conditions.Add(new ConditionClause(source.SubjectsArePatterns ? "StringLike" : "StringEquals", source.SubjectKey, source.Subjects));
            var document = new PolicyDocument();
            document.Statements.Add(statement);
            return document;
        }

        /// <summary>Refuses a trust policy with any error-level problem (<see cref="Analyze"/>).</summary>
        /// <exception cref="InputValidationException">ErrorId <c>TrustPolicyTooOpen</c>.</exception>
        public static void Refuse(PolicyDocument document, string parameterName)
        {
            TrustPolicyProblem? problem = Analyze(document).FirstOrDefault(p => p.IsError);
            if (problem != null)
            {
                throw new InputValidationException("TrustPolicyTooOpen", parameterName, problem.Message + " " + problem.Fix) { Target = problem.Value };
            }
        }

        /// <summary>Every problem of every statement that allows sts:AssumeRoleWithWebIdentity.</summary>
        public static IReadOnlyList<TrustPolicyProblem> Analyze(PolicyDocument document)
        {
            var problems = new List<TrustPolicyProblem>();
            for (int i = 0; i < document.Statements.Count; i++)
            {
                problems.AddRange(AnalyzeStatement(document.Statements[i], i));
            }

            return problems;
        }

        /// <summary>The problems of one statement (none unless it is an Allow of sts:AssumeRoleWithWebIdentity).</summary>
        public static IReadOnlyList<TrustPolicyProblem> AnalyzeStatement(PolicyStatement statement, int index)
        {
            var problems = new List<TrustPolicyProblem>();
            if (statement == null || statement.Effect != PolicyEffect.Allow || !AllowsWebIdentity(statement))
            {
                return problems;
            }

            string? sid = statement.Sid;
            if (statement.Principal == null || statement.Principal.IsWildcard
                || statement.Principal.Values.Any(kv => kv.Value.Any(v => v == "*")))
            {
                problems.Add(new TrustPolicyProblem(
                    PrincipalWildcardId, true, index, sid, "*",
                    "The statement lets any principal (\"Principal\": \"*\" or a NotPrincipal) call sts:AssumeRoleWithWebIdentity, so a token of any identity provider is accepted.",
                    "Name the OIDC provider: \"Principal\": {\"Federated\": \"arn:aws:iam::ACCOUNT:oidc-provider/token.actions.githubusercontent.com\"}."));
            }

            List<string> providers = statement.Principal == null || statement.Principal.IsWildcard || !statement.Principal.Values.TryGetValue("Federated", out List<string>? federated)
                ? new List<string>()
                : federated.Where(v => v != "*").Select(ProviderPathOf).ToList();
            foreach (string provider in providers)
            {
                List<ConditionClause> audience = PinningClauses(statement, provider + ":aud").Concat(PinningClauses(statement, provider + ":azp")).ToList();
                if (audience.Count == 0 || audience.All(c => c.Values.All(v => IsAnything(v, c.Operator))))
                {
                    problems.Add(new TrustPolicyProblem(
                        AudienceMissingId, true, index, sid, provider + ":aud",
                        $"The statement has no condition that pins the audience ({provider}:aud): tokens {provider} mints for any other audience, and so for other services, are accepted.",
                        $"Add \"StringEquals\": {{\"{provider}:aud\": \"{AudienceFor(provider)}\"}} to the Condition."));
                }

                List<ConditionClause> subject = PinningClauses(statement, provider + ":sub");
                if (subject.Count == 0)
                {
                    problems.Add(new TrustPolicyProblem(
                        SubjectMissingId, true, index, sid, provider + ":sub",
                        $"The statement has no condition on the subject ({provider}:sub): every identity {provider} issues tokens for" + (provider == GitHubProviderPath ? ", any repository of anyone on GitHub," : string.Empty) + " can assume the role.",
                        $"Add \"StringEquals\": {{\"{provider}:sub\": \"{SubjectExample(provider)}\"}} to the Condition."));
                    continue;
                }

                foreach (ConditionClause clause in subject)
                {
                    bool like = clause.Operator.IndexOf("Like", StringComparison.Ordinal) >= 0;
                    foreach (string value in clause.Values)
                    {
                        TrustPolicyProblem? p = CheckSubjectValue(provider, value, like, index, sid);
                        if (p != null)
                        {
                            problems.Add(p);
                        }
                    }
                }
            }

            return problems;
        }

        internal static bool AllowsWebIdentity(PolicyStatement statement)
        {
            if (statement.IsNotAction)
            {
                return !statement.Actions.Any(a => Matches(a, WebIdentityAction));
            }

            return statement.Actions.Any(a => a != null && Matches(a, WebIdentityAction));
        }

        /// <summary>The condition-key prefix of a Federated principal: the part after <c>oidc-provider/</c>, else the value itself (accounts.google.com).</summary>
        public static string ProviderPathOf(string federated)
        {
            const string marker = ":oidc-provider/";
            int at = federated.IndexOf(marker, StringComparison.Ordinal);
            return at >= 0 ? federated.Substring(at + marker.Length) : federated;
        }

        private static TrustPolicyProblem? CheckSubjectValue(string provider, string value, bool like, int index, string? sid)
        {
            if (!like)
            {
                return null; // StringEquals: '*' is a literal character, which matches no real subject.
            }

            if (value.Trim('*', '?').Length == 0 || value == "repo:*")
            {
                return new TrustPolicyProblem(
                    SubjectWildcardId, true, index, sid, value,
                    $"The subject condition {provider}:sub matches \"{value}\", that is every subject: any identity {provider} issues tokens for can assume the role.",
                    $"Pin the subject, for example \"{SubjectExample(provider)}\".");
            }

            if (string.Equals(provider, GitHubProviderPath, StringComparison.OrdinalIgnoreCase) && value.StartsWith("repo:", StringComparison.Ordinal))
            {
                string rest = value.Substring("repo:".Length);
                int slash = rest.IndexOf('/');
                string owner = slash < 0 ? rest : rest.Substring(0, slash);
                if (OidcSource.HasWildcard(owner) || slash < 0)
                {
                    return new TrustPolicyProblem(
                        RepositoryWildcardId, true, index, sid, value,
                        $"The subject \"{value}\" has a wildcard in the repository owner: repositories of other GitHub users and organizations match it, and anyone can create one.",
                        "Name the owner and repository exactly, for example \"repo:contoso/backup-jobs:ref:refs/heads/main\".");
                }
            }

            return null;
        }

        /// <summary>Clauses that can only hold for the listed values: positive string operators (not IfExists, not negated, not Null).</summary>
        private static List<ConditionClause> PinningClauses(PolicyStatement statement, string key) =>
            statement.Conditions.Where(c => string.Equals(c.Key, key, StringComparison.OrdinalIgnoreCase) && IsPinningOperator(c.Operator)).ToList();

        private static bool IsPinningOperator(string op)
        {
            string name = op.StartsWith("ForAnyValue:", StringComparison.Ordinal) ? op.Substring("ForAnyValue:".Length) : op;
            return name == "StringEquals" || name == "StringLike" || name == "StringEqualsIgnoreCase";
        }

        private static bool IsAnything(string value, string op) => op.IndexOf("Like", StringComparison.Ordinal) >= 0 && value.Trim('*', '?').Length == 0;

        private static bool Matches(string pattern, string action)
        {
            if (pattern == "*")
            {
                return true;
            }

            string regex = "^" + System.Text.RegularExpressions.Regex.Escape(pattern).Replace("\\*", ".*").Replace("\\?", ".") + "$";
            return System.Text.RegularExpressions.Regex.IsMatch(action, regex, System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant);
        }

        private static string AudienceFor(string provider) =>
            provider == GitHubProviderPath ? OidcSource.GitHubAudience
            : provider.StartsWith("vstoken.dev.azure.com/", StringComparison.OrdinalIgnoreCase) ? OidcSource.AzureAudience
            : "THE-AUDIENCE";

        private static string SubjectExample(string provider) =>
            provider == GitHubProviderPath ? "repo:contoso/backup-jobs:ref:refs/heads/main"
            : provider.StartsWith("vstoken.dev.azure.com/", StringComparison.OrdinalIgnoreCase) ? "sc://contoso/Backups/aws-backup"
            : "THE-EXACT-SUBJECT";
    }
}

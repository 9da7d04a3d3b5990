using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using BackupIam.Engine.Errors;

namespace BackupIam.Engine.Roles
{
    /// <summary>Who issues the runner's OIDC token.</summary>
    public enum OidcSourceKind
    {
        /// <summary>GitHub Actions (token.actions.githubusercontent.com).</summary>
        GitHubActions,

        /// <summary>Azure Pipelines workload identity federation (vstoken.dev.azure.com/ORGANIZATION-ID).</summary>
        AzurePipelines,

        /// <summary>Any other OIDC issuer, with an explicit audience and subject.</summary>
        Custom,
    }

    /// <summary>
    /// The OIDC issuer, audiences and subjects a role trusts. Built only through the validating factories, so every
    /// instance names one issuer, at least one exact audience and at least one subject that is pinned (never "*", never a
    /// repository of any owner). Validation makes no call.
    /// </summary>
    public sealed class OidcSource
    {
        /// <summary>GitHub Actions' issuer.</summary>
        public const string GitHubIssuer = "https://token.actions.githubusercontent.com";

        /// <summary>The audience aws-actions/configure-aws-credentials asks GitHub for.</summary>
        public const string GitHubAudience = "sts.amazonaws.com";

        /// <summary>Azure DevOps' issuer, followed by the organization id (a GUID).</summary>
        public const string AzureIssuerPrefix = "https://vstoken.dev.azure.com/";

        /// <summary>The audience of Azure DevOps workload identity federation tokens.</summary>
        public const string AzureAudience = "api://AzureADTokenExchange";

        /// <summary>ErrorId of a -Branch that matches every branch ("*").</summary>
        public const string BranchWildcardErrorId = "GitHubBranchWildcard";

        /// <summary>ErrorId of a -GitTag that matches every tag ("*").</summary>
        public const string GitTagWildcardErrorId = "GitHubGitTagWildcard";

        private static readonly Regex GitHubOwner = new Regex(@"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\z", RegexOptions.CultureInvariant);
        private static readonly Regex GitHubRepo = new Regex(@"^[A-Za-z0-9._-]{1,100}\z", RegexOptions.CultureInvariant);
        private static readonly Regex AzureOrganization = new Regex(@"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,48}[A-Za-z0-9])?\z", RegexOptions.CultureInvariant);
        private static readonly Regex Thumbprint = new Regex(@"^[0-9A-Fa-f]{40}\z", RegexOptions.CultureInvariant);

        private OidcSource(OidcSourceKind kind, string issuer, IReadOnlyList<string> audiences, IReadOnlyList<string> subjects)
        {
            Kind = kind;
            Issuer = issuer;
            ProviderPath = issuer.Substring("https://".Length);
            Audiences = audiences;
            Subjects = subjects;
            SubjectsArePatterns = subjects.Any(HasWildcard);
        }

        /// <summary>Which kind of issuer.</summary>
        public OidcSourceKind Kind { get; }

        /// <summary>The issuer URL (https://, no trailing slash), as given to CreateOpenIDConnectProvider.</summary>
        public string Issuer { get; }

        /// <summary>The issuer without its scheme: IAM's provider name (after <c>oidc-provider/</c>) and its condition-key prefix.</summary>
        public string ProviderPath { get; }

        /// <summary>The audiences (client ids) the role accepts.</summary>
        public IReadOnlyList<string> Audiences { get; }

        /// <summary>The subjects (<c>sub</c> claims) the role accepts.</summary>
        public IReadOnlyList<string> Subjects { get; }

        /// <summary>True when a subject has a wildcard (a branch or tag pattern): the trust policy then uses StringLike.</summary>
        public bool SubjectsArePatterns { get; }

        /// <summary>The condition key of the audience claim, e.g. <c>token.actions.githubusercontent.com:aud</c>.</summary>
        public string AudienceKey => ProviderPath + ":aud";

        /// <summary>The condition key of the subject claim, e.g. <c>token.actions.githubusercontent.com:sub</c>.</summary>
        public string SubjectKey => ProviderPath + ":sub";

        /// <summary>The provider ARN IAM gives this issuer in <paramref name="accountId"/>.</summary>
        public string ProviderArn(string accountId, string partition = "aws") => "arn:" + partition + ":iam::" + accountId + ":oidc-provider/" + ProviderPath;

        /// <summary>
        /// GitHub Actions: <c>repo:OWNER/REPO:ref:refs/heads/BRANCH</c>, <c>repo:OWNER/REPO:ref:refs/tags/TAG</c> and
        /// <c>repo:OWNER/REPO:environment:NAME</c>, one subject per branch, tag and environment given.
        /// </summary>
        /// <exception cref="InputValidationException">A bad repository, branch, tag or environment, naming the parameter.</exception>
        public static OidcSource ForGitHubActions(string? repository, IEnumerable<string>? branches, IEnumerable<string>? tags, IEnumerable<string>? environments)
        {
            string repo = ValidateGitHubRepository(repository);
            var subjects = new List<string>();
            foreach (string branch in branches ?? Enumerable.Empty<string>())
            {
                subjects.Add("repo:" + repo + ":ref:refs/heads/" + ValidateGitRef(branch, "Branch", "refs/heads/", "main"));
            }

            foreach (string tag in tags ?? Enumerable.Empty<string>())
            {
                subjects.Add("repo:" + repo + ":ref:refs/tags/" + ValidateGitRef(tag, "GitTag", "refs/tags/", "v1.0.0"));
            }

            foreach (string environment in environments ?? Enumerable.Empty<string>())
            {
                subjects.Add("repo:" + repo + ":environment:" + ValidateGitHubEnvironment(environment));
            }

            if (subjects.Count == 0)
            {
                throw new InputValidationException(
                    "GitHubRefRequired", "Branch",
                    $"Say which runs of '{repo}' may assume the role: give -Branch (for example -Branch main), -GitTag (for example -GitTag 'v*') or -Environment (for example -Environment production). A role for every workflow run of a repository, pull requests from forks included, is refused.")
                {
                    Target = repo,
                };
            }

            return new OidcSource(OidcSourceKind.GitHubActions, GitHubIssuer, new[] { GitHubAudience }, Distinct(subjects));
        }

        /// <summary>Azure Pipelines workload identity federation: subject <c>sc://ORG/PROJECT/SERVICE-CONNECTION</c>.</summary>
        /// <exception cref="InputValidationException">A bad organization id, organization, project or service connection, naming the parameter.</exception>
        public static OidcSource ForAzurePipelines(string? organizationId, string? organization, string? project, string? serviceConnection)
        {
            if (organizationId == null || !Guid.TryParseExact(organizationId.Trim(), "D", out Guid orgId))
            {
                throw new InputValidationException(
                    "AzureDevOpsOrganizationIdInvalid", "AzureDevOpsOrganizationId",
                    $"-AzureDevOpsOrganizationId '{organizationId}' is not an organization id: give the GUID of the Azure DevOps organization (the issuer is https://vstoken.dev.azure.com/<organization id>), for example 0a1b2c3d-1111-2222-3333-444455556666. The service connection's 'Workload Identity federation details' show it in the issuer.")
                {
                    Target = organizationId,
                };
            }

            if (organization == null || !AzureOrganization.IsMatch(organization))
            {
                throw new InputValidationException(
                    "AzureDevOpsOrganizationInvalid", "AzureDevOpsOrganization",
                    $"-AzureDevOpsOrganization '{organization}' is not an Azure DevOps organization name: 1 to 50 letters, digits or hyphens, starting and ending with a letter or digit, as in https://dev.azure.com/contoso (give 'contoso').")
                {
                    Target = organization,
                };
            }

            string projectName = ValidateAzureSegment(project, "AzureDevOpsProject", "AzureDevOpsProjectInvalid", "project", "Backups", 64);
            string connection = ValidateAzureSegment(serviceConnection, "ServiceConnection", "ServiceConnectionInvalid", "service connection", "aws-backup", 256);
            string issuer = AzureIssuerPrefix + orgId.ToString("D");
            return new OidcSource(OidcSourceKind.AzurePipelines, issuer, new[] { AzureAudience }, new[] { "sc://" + organization + "/" + projectName + "/" + connection });
        }

        /// <summary>Any OIDC issuer (https), with explicit audiences and exact subjects.</summary>
        /// <exception cref="InputValidationException">A bad issuer, audience or subject, naming the parameter.</exception>
        public static OidcSource ForIssuer(string? issuer, IEnumerable<string>? audiences, IEnumerable<string>? subjects)
        {
            string url = ValidateIssuer(issuer);
            var audienceList = new List<string>();
            foreach (string audience in audiences ?? Enumerable.Empty<string>())
            {
                if (string.IsNullOrWhiteSpace(audience) || audience.Length > 255 || HasWildcard(audience) || audience.Any(char.IsControl))
                {
                    throw new InputValidationException(
                        "OidcAudienceInvalid", "Audience",
                        $"-Audience '{audience}' is not an audience the role can pin: give the exact 'aud' claim of the tokens (1 to 255 characters, no '*' or '?'), for example sts.amazonaws.com.")
                    {
                        Target = audience,
                    };
                }

                audienceList.Add(audience);
            }

            if (audienceList.Count == 0)
            {
                throw new InputValidationException(
                    "OidcAudienceRequired", "Audience",
                    $"Give -Audience with the exact 'aud' claim of {url}'s tokens (for example -Audience sts.amazonaws.com): a role that accepts tokens of any audience would accept tokens minted for other services.");
            }

            var subjectList = new List<string>();
            foreach (string subject in subjects ?? Enumerable.Empty<string>())
            {
                if (string.IsNullOrWhiteSpace(subject) || subject.Any(char.IsControl))
                {
                    throw new InputValidationException(
                        "OidcSubjectInvalid", "Subject",
                        $"-Subject '{subject}' is empty or has control characters: give the exact 'sub' claim of the tokens that may assume the role.")
                    {
                        Target = subject,
                    };
                }

                if (HasWildcard(subject))
                {
                    throw new InputValidationException(
                        "OidcSubjectWildcard", "Subject",
                        $"-Subject '{subject}' has a wildcard: for an issuer BackupIam does not know, a pattern may match identities you do not control, so only exact subjects are accepted. List each subject (-Subject a, b).")
                    {
                        Target = subject,
                    };
                }

                subjectList.Add(subject);
            }

            if (subjectList.Count == 0)
            {
                throw new InputValidationException(
                    "OidcSubjectRequired", "Subject",
                    $"Give -Subject with the exact 'sub' claim of the tokens that may assume the role: without it, every identity {url} issues tokens for could assume it.");
            }

            return new OidcSource(OidcSourceKind.Custom, url, Distinct(audienceList), Distinct(subjectList));
        }

        /// <summary>Checks -Thumbprint values: up to five SHA-1 fingerprints of 40 hex digits. Returns them in lower case.</summary>
        public static IReadOnlyList<string> ValidateThumbprints(IEnumerable<string>? thumbprints)
        {
            var list = new List<string>();
            foreach (string t in thumbprints ?? Enumerable.Empty<string>())
            {
                string value = (t ?? string.Empty).Replace(":", string.Empty).Trim();
                if (!Thumbprint.IsMatch(value))
                {
                    throw new InputValidationException(
                        "OidcThumbprintInvalid", "Thumbprint",
                        $"-Thumbprint '{t}' is not a certificate thumbprint: give the SHA-1 fingerprint of the issuer's top intermediate CA as 40 hex digits, for example 6938fd4d98bab03faadb97b34396831e3780aea1.")
                    {
                        Target = t,
                    };
                }

                list.Add(value.ToLowerInvariant());
            }

            IReadOnlyList<string> distinct = Distinct(list);
            if (distinct.Count > 5)
            {
                throw new InputValidationException(
                    "OidcThumbprintTooMany", "Thumbprint",
                    $"-Thumbprint has {distinct.Count} values; IAM keeps at most 5 per identity provider.");
            }

            return distinct;
        }

        internal static bool HasWildcard(string value) => value.IndexOf('*') >= 0 || value.IndexOf('?') >= 0;

        private static IReadOnlyList<string> Distinct(List<string> values) => values.Distinct(StringComparer.Ordinal).ToList();

        private static string ValidateGitHubRepository(string? repository)
        {
            string value = repository ?? string.Empty;
            if (HasWildcard(value))
            {
                throw new InputValidationException(
                    "GitHubRepositoryWildcard", "GitHubRepository",
                    $"-GitHubRepository '{value}' has a wildcard: a pattern lets other repositories (with '*' as the owner, those of anyone on GitHub) assume the role. Give one repository as OWNER/REPO, for example contoso/backup-jobs.")
                {
                    Target = repository,
                };
            }

            string[] parts = value.Split('/');
            if (parts.Length != 2 || !GitHubOwner.IsMatch(parts[0]) || parts[0].EndsWith("-", StringComparison.Ordinal)
                || !GitHubRepo.IsMatch(parts[1]) || parts[1] == "." || parts[1] == "..")
            {
                throw new InputValidationException(
                    "GitHubRepositoryInvalid", "GitHubRepository",
                    $"-GitHubRepository '{value}' is not OWNER/REPO: the owner is 1 to 39 letters, digits or hyphens (not starting or ending with one), the repository 1 to 100 letters, digits, '.', '_' or '-'; for example contoso/backup-jobs (no https://github.com/ prefix, no .git suffix).")
                {
                    Target = repository,
                };
            }

            return value;
        }

        private static string ValidateGitRef(string? name, string parameterName, string refPrefix, string example)
        {
            string value = name ?? string.Empty;
            bool branch = parameterName == "Branch";
            string errorId = branch ? "GitHubBranchInvalid" : "GitHubGitTagInvalid";
            string wildcardId = branch ? BranchWildcardErrorId : GitTagWildcardErrorId;
            string what = branch ? "branch" : "tag";
            if (value.StartsWith("refs/", StringComparison.Ordinal))
            {
                throw new InputValidationException(
                    errorId, parameterName,
                    $"-{parameterName} '{value}' is a full ref: give the {what} name only (BackupIam adds '{refPrefix}'), for example -{parameterName} {example}.")
                {
                    Target = name,
                };
            }

            if (value.Trim('*', '?', '/').Length == 0)
            {
                throw new InputValidationException(
                    wildcardId, parameterName,
                    $"-{parameterName} '{value}' matches every {what}: anyone who can push a {what} to the repository could assume the role. Give a name (-{parameterName} {example}) or a pattern with a fixed part (-{parameterName} 'release/*').")
                {
                    Target = name,
                };
            }

            bool bad = value.Length > 255
                || value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c == '~' || c == '^' || c == ':' || c == '[' || c == '\\')
                || value.Contains("..") || value.Contains("@{") || value.Contains("//")
                || value.StartsWith("/", StringComparison.Ordinal) || value.EndsWith("/", StringComparison.Ordinal)
                || value.EndsWith(".", StringComparison.Ordinal) || value.EndsWith(".lock", StringComparison.Ordinal) || value.StartsWith("-", StringComparison.Ordinal);
            if (bad)
            {
                throw new InputValidationException(
                    errorId, parameterName,
                    $"-{parameterName} '{value}' is not a valid git {what} name: no spaces, '~', '^', ':', '[', '\\', '..', '@{{' or '//', not starting with '/' or '-', not ending with '/', '.' or '.lock'; for example -{parameterName} {example}.")
                {
                    Target = name,
                };
            }

            return value;
        }

        private static string ValidateGitHubEnvironment(string? name)
        {
            string value = name ?? string.Empty;
            if (value.Trim().Length == 0 || value.Length > 255 || HasWildcard(value) || value.Any(c => char.IsControl(c) || c == ':' || c == ',' || c == '\'' || c == '"' || c == '`' || c == ';' || c == '/'))
            {
                throw new InputValidationException(
                    "GitHubEnvironmentInvalid", "Environment",
                    $"-Environment '{value}' is not a GitHub environment name: 1 to 255 characters without wildcards, ':', ',', quotes, ';' or '/', for example -Environment production.")
                {
                    Target = name,
                };
            }

            return value;
        }

        private static string ValidateAzureSegment(string? value, string parameterName, string errorId, string what, string example, int maxLength)
        {
            string text = value ?? string.Empty;
            if (text.Trim().Length == 0 || text != text.Trim() || text.Length > maxLength || HasWildcard(text)
                || text.Any(c => char.IsControl(c) || c == '/' || c == '\\'))
            {
                throw new InputValidationException(
                    errorId, parameterName,
                    $"-{parameterName} '{text}' is not an Azure DevOps {what} name the subject can pin: 1 to {maxLength.ToString(CultureInfo.InvariantCulture)} characters, no leading or trailing space, no '/', '\\', '*' or '?'; for example -{parameterName} {example}.")
                {
                    Target = value,
                };
            }

            return text;
        }

        private static string ValidateIssuer(string? issuer)
        {
            string text = (issuer ?? string.Empty).Trim();
            if (!Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) || uri.Scheme != "https" || string.IsNullOrEmpty(uri.Host)
                || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment) || !string.IsNullOrEmpty(uri.UserInfo)
                || HasWildcard(text) || text.Length > 255)
            {
                throw new InputValidationException(
                    "OidcIssuerInvalid", "Issuer",
                    $"-Issuer '{issuer}' is not an OIDC issuer URL IAM accepts: https://, a host, an optional port and path, no query, fragment or wildcard, at most 255 characters; for example https://gitlab.example.com. It must equal the tokens' 'iss' claim.")
                {
                    Target = issuer,
                };
            }

            string port = uri.IsDefaultPort ? string.Empty : ":" + uri.Port.ToString(CultureInfo.InvariantCulture);
            return "https://" + uri.Host.ToLowerInvariant() + port + uri.AbsolutePath.TrimEnd('/');
        }
    }
}

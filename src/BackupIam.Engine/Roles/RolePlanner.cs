using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using BackupIam.Engine.Aws.Iam;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Lint;
using BackupIam.Engine.Naming;
using BackupIam.Engine.Policies;
using BackupIam.Engine.Provisioning;

namespace BackupIam.Engine.Roles
{
    /// <summary>An inline policy a role should have.</summary>
    public sealed class RoleInlinePolicy
    {
        public RoleInlinePolicy(string policyName, string policyDocument)
        {
            PolicyName = policyName;
            PolicyDocument = policyDocument;
        }

        public string PolicyName { get; }

        public string PolicyDocument { get; }
    }

    /// <summary>What a role for an OIDC runner should look like.</summary>
    public sealed class RoleSpec
    {
        public string RoleName { get; set; } = "";

        public OidcSource? Source { get; set; }

        /// <summary>Thumbprints for the provider; null leaves an existing provider's list alone (and creates one without).</summary>
        public IReadOnlyList<string>? Thumbprints { get; set; }

        public string? PermissionsBoundaryArn { get; set; }

        /// <summary>Longest session in seconds (3600 to 43200); null leaves it as it is (3600 for a new role).</summary>
        public int? MaxSessionDuration { get; set; }

        public string? Description { get; set; }

        public List<RoleInlinePolicy> Policies { get; } = new List<RoleInlinePolicy>();
    }

    /// <summary>The writes that make a role (and its OIDC provider) match a <see cref="RoleSpec"/>.</summary>
    public sealed class RolePlan : ResourcePlan
    {
        internal RolePlan(string roleName)
            : base("IAM role", roleName)
        {
        }

        /// <summary>The provider's ARN (known before it is created: IAM derives it from the account and the issuer).</summary>
        public string ProviderArn { get; internal set; } = "";

        /// <summary>True when the provider existed before the plan.</summary>
        public bool ProviderExists { get; internal set; }

        /// <summary>The role's ARN.</summary>
        public string RoleArn { get; internal set; } = "";

        /// <summary>The trust policy the role gets (indented JSON).</summary>
        public string TrustPolicy { get; internal set; } = "";

        /// <summary>The inline policy names this plan manages.</summary>
        public List<string> PolicyNames { get; } = new List<string>();

        /// <summary>Inline policies the role has that the plan does not manage (left in place).</summary>
        public List<string> OtherPolicyNames { get; } = new List<string>();
    }

    /// <summary>
    /// Plans an OIDC role: the identity provider if missing (or missing the audience), the role with its trust policy,
    /// permissions boundary and maximum session duration, and its inline policies. Reads what IAM has and plans only the
    /// differences, so a re-run plans nothing; every input is checked by <see cref="Validate"/> before any call.
    /// </summary>
    public sealed class RolePlanner
    {
        /// <summary>IAM's shortest maximum session duration, in seconds.</summary>
        public const int MinSessionDuration = 3600;

        /// <summary>IAM's longest maximum session duration, in seconds.</summary>
        public const int MaxSessionDurationLimit = 43200;

        private static readonly Regex RoleNamePattern = new Regex(@"^[A-Za-z0-9_+=,.@-]{1,64}\z", RegexOptions.CultureInvariant);

        private readonly IIamClient _iam;
        private readonly Func<CancellationToken, Task<string>> _callerArn;

        /// <param name="iam">The IAM client.</param>
        /// <param name="callerArn">Gives the caller's ARN (sts:GetCallerIdentity); asked only when the provider does not exist yet, for its account.</param>
        public RolePlanner(IIamClient iam, Func<CancellationToken, Task<string>> callerArn)
        {
            _iam = iam ?? throw new ArgumentNullException(nameof(iam));
            _callerArn = callerArn ?? throw new ArgumentNullException(nameof(callerArn));
        }

        /// <summary>Checks a role name: 1 to 64 letters, digits and <c>+=,.@_-</c>.</summary>
        public static void ValidateRoleName(string? name, string parameterName = "RoleName")
        {
            if (name == null || !RoleNamePattern.IsMatch(name))
            {
                throw new InputValidationException(
                    "IamRoleNameInvalid", parameterName,
                    $"-{parameterName} '{name}' is not a valid IAM role name: 1 to 64 letters, digits and + = , . @ _ -, for example backup-github-runner.")
                {
                    Target = name,
                };
            }
        }

        /// <summary>Checks a maximum session duration in seconds (3600 to 43200).</summary>
        public static void ValidateMaxSessionDuration(int? seconds, string parameterName = "MaxSessionDuration")
        {
            if (seconds.HasValue && (seconds.Value < MinSessionDuration || seconds.Value > MaxSessionDurationLimit))
            {
                throw new InputValidationException(
                    "IamMaxSessionDurationInvalid", parameterName,
                    $"-{parameterName} {seconds.Value.ToString(CultureInfo.InvariantCulture)} is out of range: IAM takes 3600 (1 hour) to 43200 (12 hours) seconds, for example -{parameterName} 3600.")
                {
                    Target = seconds.Value,
                };
            }
        }

        /// <summary>Checks a role inline policy: name, IAM grammar, no Principal, a Resource in every statement, IAM's 10,240-character role quota.</summary>
        public static PolicyDocument ValidateInlinePolicy(string policyName, string policyDocument)
        {
            IamNames.ValidatePolicyName(policyName);
            PolicyDocument desired = PolicyJson.Parse(policyDocument);
            if (desired.Statements.Any(s => s.Principal != null || s.NotPrincipal != null))
            {
                throw new InputValidationException(
                    TrustPolicyGuard.IsTrustPolicy(desired) ? "PolicyIsTrustPolicy" : "PolicyNotIdentityPolicy", "PolicyDocument",
                    TrustPolicyGuard.IsTrustPolicy(desired)
                        ? $"Policy '{policyName}' is a trust policy (Principal + sts: actions): New-BackupRole writes the role's trust policy itself from -GitHubRepository, -AzureDevOps* or -Issuer. Pipe the role's permissions instead, for example New-BackupPolicy -Preset UploadOnly."
                        : $"Policy '{policyName}' has a Principal: this looks like a bucket policy. A role's inline policy is an identity policy; use Set-BackupBucketPolicy for bucket policies.");
            }

            Provisioning.IdentityPlanner.RequireResources(desired);
            PolicyRules.CheckIdentityPolicy(desired);
            int size = PolicySizeLimits.Measure(desired, PolicyContainer.RoleInline);
            int limit = PolicySizeLimits.GetLimit(PolicyContainer.RoleInline);
            if (size > limit)
            {
                throw new InputValidationException("PolicyTooLarge", "PolicyDocument",
                    $"Policy '{policyName}' is {size} characters without whitespace; IAM allows {limit} for a role inline policy. Split it or use a managed policy.");
            }

            return desired;
        }

        /// <summary>Checks the whole spec without any call.</summary>
        public static void Validate(RoleSpec spec)
        {
            if (spec == null)
            {
                throw new ArgumentNullException(nameof(spec));
            }

            ValidateRoleName(spec.RoleName);
            if (spec.Source == null)
            {
                throw new InputValidationException("OidcSourceRequired", "GitHubRepository",
                    "Say who may assume the role: -GitHubRepository with -Branch, -Tag or -Environment; or -AzureDevOpsOrganizationId, -AzureDevOpsOrganization, -AzureDevOpsProject and -ServiceConnection; or -Issuer, -Audience and -Subject.");
            }

            IamNames.ValidatePolicyArn(spec.PermissionsBoundaryArn, "PermissionsBoundary");
            ValidateMaxSessionDuration(spec.MaxSessionDuration);
            if (spec.Description != null && (spec.Description.Length > 1000 || spec.Description.Any(char.IsControl)))
            {
                throw new InputValidationException("IamRoleDescriptionInvalid", "Description",
                    "-Description is longer than 1000 characters or has control characters; IAM refuses it.");
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (RoleInlinePolicy policy in spec.Policies)
            {
                ValidateInlinePolicy(policy.PolicyName, policy.PolicyDocument);
                if (!seen.Add(policy.PolicyName))
                {
                    throw new InputValidationException("PolicyNameDuplicate", "PolicyName",
                        $"Two policies are named '{policy.PolicyName}': a role's inline policies need distinct names, and the second would replace the first. Give each a -PolicyName.")
                    {
                        Target = policy.PolicyName,
                    };
                }
            }

            // The trust policy this spec makes must pass the same checks as a pasted one.
            TrustPolicyGuard.Refuse(TrustPolicyGuard.Build(spec.Source, spec.Source.ProviderArn("123456789012")), "Subject");
        }

        /// <summary>
        /// The ARN a provider about to be created will have: from the caller's account (sts:GetCallerIdentity). Where the
        /// store has no GetCallerIdentity (Ceph RGW), the ARN of a default-tenant provider (<c>arn:aws:iam:::oidc-provider/PATH</c>)
        /// is planned and the ARN CreateOpenIDConnectProvider returns is used when the role is written.
        /// </summary>
        private async Task<string> PlannedProviderArnAsync(OidcSource source, RolePlan plan, CancellationToken cancellationToken)
        {
            string caller;
            try
            {
                caller = await _callerArn(cancellationToken).ConfigureAwait(false);
            }
            catch (BackupIamException ex) when (ex.Kind != FailureKind.PermissionDenied && ex.Kind != FailureKind.ConnectionError && ex.Kind != FailureKind.OperationTimeout)
            {
                plan.Notes.Add($"sts:GetCallerIdentity is not available here ({ex.ErrorId}): the provider's ARN is taken from CreateOpenIDConnectProvider's answer when it is created.");
                return source.ProviderArn(string.Empty);
            }

            string[] parts = caller.Split(':');
            if (parts.Length < 5 || !IamArns.IsAccountId(parts[4]))
            {
                throw new BackupIamException("CallerAccountUnknown", FailureKind.InvalidData,
                    $"Could not read the account id from the caller's ARN '{caller}' (sts:GetCallerIdentity), which the provider's ARN needs.");
            }

            return source.ProviderArn(parts[4], parts[1]);
        }

        private static bool SameDocument(string current, string desiredCanonical)
        {
            try
            {
                return string.Equals(PolicyJson.ToJson(PolicyJson.Parse(current), indented: false), desiredCanonical, StringComparison.Ordinal);
            }
            catch (PolicyFormatException)
            {
                return false;
            }
        }

        /// <summary>Reads IAM and plans the writes.</summary>
        public async Task<RolePlan> PlanAsync(RoleSpec spec, CancellationToken cancellationToken)
        {
            Validate(spec);
            OidcSource source = spec.Source!;
            var plan = new RolePlan(spec.RoleName);

            // ---- the identity provider
            List<OpenIDConnectProviderListEntry> providers;
            try
            {
                providers = (await _iam.ListOpenIDConnectProvidersAsync(new ListOpenIDConnectProvidersRequest(), cancellationToken).ConfigureAwait(false)).OpenIDConnectProviderList;
            }
            catch (NoSuchEntityException)
            {
                providers = new List<OpenIDConnectProviderListEntry>(); // Ceph RGW answers 404 when there is no provider at all
            }

            string? providerArn = providers
                .Select(p => p.Arn)
                .FirstOrDefault(arn => string.Equals(TrustPolicyGuard.ProviderPathOf(arn), source.ProviderPath, StringComparison.OrdinalIgnoreCase));
            string providerTarget = "OIDC provider " + source.ProviderPath;
            if (providerArn == null)
            {
                // The provider's ARN is arn:PARTITION:iam::ACCOUNT:oidc-provider/PATH; the account comes from the caller.
                // A store without sts:GetCallerIdentity (Ceph RGW) gives the ARN only when the provider is created.
                providerArn = await PlannedProviderArnAsync(source, plan, cancellationToken).ConfigureAwait(false);
                var audiences = source.Audiences.ToList();
                var thumbprints = (spec.Thumbprints ?? new string[0]).ToList();
                plan.Add("iam", "CreateOpenIDConnectProvider", providerTarget,
                    $"Create the OIDC identity provider {source.Issuer} (audience {string.Join(", ", audiences)}" + (thumbprints.Count > 0 ? ", thumbprint " + string.Join(", ", thumbprints) : string.Empty) + ")",
                    async ct =>
                    {
                        try
                        {
                            string created = (await _iam.CreateOpenIDConnectProviderAsync(new CreateOpenIDConnectProviderRequest { Url = source.Issuer, ClientIDList = audiences, ThumbprintList = thumbprints }, ct).ConfigureAwait(false)).OpenIDConnectProviderArn;
                            if (!string.IsNullOrEmpty(created))
                            {
                                plan.ProviderArn = created;
                            }

                            return true;
                        }
                        catch (EntityAlreadyExistsException)
                        {
                            return false; // a concurrent or retried run made it
                        }
                    });
            }
            else
            {
                plan.ProviderExists = true;
                GetOpenIDConnectProviderResponse provider = await _iam.GetOpenIDConnectProviderAsync(new GetOpenIDConnectProviderRequest { OpenIDConnectProviderArn = providerArn }, cancellationToken).ConfigureAwait(false);
                string arn = providerArn;
                foreach (string audience in source.Audiences.Where(a => !provider.ClientIDList.Contains(a, StringComparer.Ordinal)))
                {
                    plan.Add("iam", "AddClientIDToOpenIDConnectProvider", providerTarget, $"Add the audience (client id) '{audience}' to the OIDC provider {source.ProviderPath}", ct =>
                        _iam.AddClientIDToOpenIDConnectProviderAsync(new AddClientIDToOpenIDConnectProviderRequest { OpenIDConnectProviderArn = arn, ClientID = audience }, ct));
                }

                if (spec.Thumbprints != null && spec.Thumbprints.Count > 0)
                {
                    var current = new HashSet<string>(provider.ThumbprintList.Select(t => t.ToLowerInvariant()), StringComparer.Ordinal);
                    if (!current.SetEquals(spec.Thumbprints))
                    {
                        var wanted = spec.Thumbprints.ToList();
                        plan.Add("iam", "UpdateOpenIDConnectProviderThumbprint", providerTarget, $"Set the thumbprints of the OIDC provider {source.ProviderPath} to {string.Join(", ", wanted)}", ct =>
                            _iam.UpdateOpenIDConnectProviderThumbprintAsync(new UpdateOpenIDConnectProviderThumbprintRequest { OpenIDConnectProviderArn = arn, ThumbprintList = wanted }, ct));
                    }
                }
            }

            plan.ProviderArn = providerArn;
            PolicyDocument trust = TrustPolicyGuard.Build(source, providerArn);
            TrustPolicyGuard.Refuse(trust, "Subject");
            string trustCanonical = PolicyJson.ToJson(trust, indented: false);
            plan.TrustPolicy = PolicyJson.ToJson(trust, indented: true);

            // The trust policy as written: it names the provider's ARN as known at apply time (after CreateOpenIDConnectProvider).
            string TrustAtApply()
            {
                if (string.Equals(plan.ProviderArn, providerArn, StringComparison.Ordinal))
                {
                    return trustCanonical;
                }

                PolicyDocument applied = TrustPolicyGuard.Build(source, plan.ProviderArn);
                plan.TrustPolicy = PolicyJson.ToJson(applied, indented: true);
                return PolicyJson.ToJson(applied, indented: false);
            }

            // ---- the role
            string roleTarget = "role " + spec.RoleName;
            Role? existing = null;
            try
            {
                existing = (await _iam.GetRoleAsync(new GetRoleRequest { RoleName = spec.RoleName }, cancellationToken).ConfigureAwait(false)).Role;
            }
            catch (NoSuchEntityException)
            {
            }

            string[] providerParts = providerArn.Split(':');
            plan.RoleArn = existing?.Arn ?? "arn:" + providerParts[1] + ":iam::" + providerParts[4] + ":role/" + spec.RoleName;

            // The managed tag (issue 15) goes on roles in an AWS account (12 digits). Ceph RGW 16 (no account in its ARNs)
            // refuses AssumeRoleWithWebIdentity for a role that has tags (observed: AccessDenied), so roles there stay untagged.
            bool tagRole = System.Text.RegularExpressions.Regex.IsMatch(providerParts.Length > 4 ? providerParts[4] : string.Empty, "^[0-9]{12}$");
            if (existing == null)
            {
                string details = "trusting " + string.Join(", ", source.Subjects) + " from " + source.ProviderPath
                    + (spec.PermissionsBoundaryArn != null ? ", permissions boundary " + spec.PermissionsBoundaryArn : string.Empty)
                    + (spec.MaxSessionDuration.HasValue ? ", maximum session " + spec.MaxSessionDuration.Value.ToString(CultureInfo.InvariantCulture) + " s" : string.Empty);
                plan.Add("iam", "CreateRole", roleTarget, $"Create IAM role '{spec.RoleName}' {details}", async ct =>
                {
                    try
                    {
                        var request = new CreateRoleRequest
                        {
                            RoleName = spec.RoleName,
                            AssumeRolePolicyDocument = TrustAtApply(),
                            Description = spec.Description,
                            MaxSessionDuration = spec.MaxSessionDuration,
                            PermissionsBoundary = spec.PermissionsBoundaryArn,
                        };
                        if (tagRole)
                        {
                            request.Tags.Add(Inspection.ManagedTag.Create());
                        }

                        Role created = (await _iam.CreateRoleAsync(request, ct).ConfigureAwait(false)).Role;
                        if (!string.IsNullOrEmpty(created.Arn))
                        {
                            plan.RoleArn = created.Arn;
                        }

                        return true;
                    }
                    catch (EntityAlreadyExistsException ex)
                    {
                        // A retried CreateRole whose first attempt went through: the role is there with our trust policy.
                        // Anything else (someone else's role of that name) is not taken over silently.
                        Role found = (await _iam.GetRoleAsync(new GetRoleRequest { RoleName = spec.RoleName }, ct).ConfigureAwait(false)).Role;
                        if (SameDocument(found.AssumeRolePolicyDocument, TrustAtApply()))
                        {
                            plan.RoleArn = string.IsNullOrEmpty(found.Arn) ? plan.RoleArn : found.Arn;
                            return true;
                        }

                        throw new BackupIamException("IamRoleAlreadyExists", FailureKind.AlreadyExists,
                            $"IAM role '{spec.RoleName}' was created by someone else while this command ran, with another trust policy. Run the command again: it then shows the trust policy it would replace.", ex)
                        {
                            Target = spec.RoleName,
                        };
                    }
                });
            }
            else
            {
                plan.Exists = true;
                string currentTrust;
                try
                {
                    currentTrust = PolicyJson.ToJson(PolicyJson.Parse(existing.AssumeRolePolicyDocument), indented: false);
                }
                catch (PolicyFormatException)
                {
                    currentTrust = existing.AssumeRolePolicyDocument;
                }

                if (!string.Equals(currentTrust, trustCanonical, StringComparison.Ordinal))
                {
                    plan.Add("iam", "UpdateAssumeRolePolicy", roleTarget, $"Replace the trust policy of IAM role '{spec.RoleName}': trust only {string.Join(", ", source.Subjects)} from {source.ProviderPath}", ct =>
                        _iam.UpdateAssumeRolePolicyAsync(new UpdateAssumeRolePolicyRequest { RoleName = spec.RoleName, PolicyDocument = TrustAtApply() }, ct));
                }

                if (tagRole && !Inspection.ManagedTag.IsIn(existing.Tags) && !await HasManagedTagAsync(spec.RoleName, cancellationToken).ConfigureAwait(false))
                {
                    plan.Add("iam", "TagRole", roleTarget, $"Set tag {Inspection.ManagedTag.Key} on IAM role '{spec.RoleName}'", ct =>
                        _iam.TagRoleAsync(new TagRoleRequest { RoleName = spec.RoleName, Tags = { Inspection.ManagedTag.Create() } }, ct));
                }

                bool durationDiffers = spec.MaxSessionDuration.HasValue && existing.MaxSessionDuration != spec.MaxSessionDuration;
                bool descriptionDiffers = spec.Description != null && !string.Equals(existing.Description ?? string.Empty, spec.Description, StringComparison.Ordinal);
                if (durationDiffers || descriptionDiffers)
                {
                    plan.Add("iam", "UpdateRole", roleTarget,
                        $"Set " + (durationDiffers ? "the maximum session duration to " + spec.MaxSessionDuration!.Value.ToString(CultureInfo.InvariantCulture) + " s" : "the description") + $" of IAM role '{spec.RoleName}'",
                        ct => _iam.UpdateRoleAsync(new UpdateRoleRequest
                        {
                            RoleName = spec.RoleName,
                            MaxSessionDuration = spec.MaxSessionDuration ?? existing.MaxSessionDuration,
                            Description = spec.Description ?? existing.Description,
                        }, ct));
                }

                if (spec.PermissionsBoundaryArn != null
                    && !string.Equals(existing.PermissionsBoundary?.PermissionsBoundaryArn, spec.PermissionsBoundaryArn, StringComparison.Ordinal))
                {
                    plan.Add("iam", "PutRolePermissionsBoundary", roleTarget, $"Set permissions boundary {spec.PermissionsBoundaryArn} on IAM role '{spec.RoleName}'", ct =>
                        _iam.PutRolePermissionsBoundaryAsync(new PutRolePermissionsBoundaryRequest { RoleName = spec.RoleName, PermissionsBoundary = spec.PermissionsBoundaryArn }, ct));
                }

                IReadOnlyList<string> names = await _iam.ListAllRolePolicyNamesAsync(spec.RoleName, cancellationToken).ConfigureAwait(false);
                plan.OtherPolicyNames.AddRange(names.Where(n => !spec.Policies.Any(p => string.Equals(p.PolicyName, n, StringComparison.Ordinal))));
                if (plan.OtherPolicyNames.Count > 0)
                {
                    plan.Warnings.Add($"IAM role '{spec.RoleName}' also has the inline polic{(plan.OtherPolicyNames.Count == 1 ? "y" : "ies")} {string.Join(", ", plan.OtherPolicyNames.Select(n => "'" + n + "'"))}, which this command did not give; left in place. The runner gets their permissions too.");
                }
            }

            // ---- inline policies
            foreach (RoleInlinePolicy policy in spec.Policies)
            {
                plan.PolicyNames.Add(policy.PolicyName);
                string desired = PolicyJson.ToJson(ValidateInlinePolicy(policy.PolicyName, policy.PolicyDocument), indented: false);
                string? current = null;
                if (existing != null)
                {
                    try
                    {
                        string raw = (await _iam.GetRolePolicyAsync(new GetRolePolicyRequest { RoleName = spec.RoleName, PolicyName = policy.PolicyName }, cancellationToken).ConfigureAwait(false)).PolicyDocument;
                        try
                        {
                            current = PolicyJson.ToJson(PolicyJson.Parse(raw), indented: false);
                        }
                        catch (PolicyFormatException)
                        {
                            current = raw;
                        }
                    }
                    catch (NoSuchEntityException)
                    {
                    }
                }

                if (current != null && string.Equals(current, desired, StringComparison.Ordinal))
                {
                    continue;
                }

                string name = policy.PolicyName;
                plan.Add("iam", "PutRolePolicy", roleTarget, $"{(current == null ? "Create" : "Replace")} inline policy '{name}' on IAM role '{spec.RoleName}'", ct =>
                    _iam.PutRolePolicyAsync(new PutRolePolicyRequest { RoleName = spec.RoleName, PolicyName = name, PolicyDocument = desired }, ct));
            }

            return plan;
        }

        /// <summary>
        /// GetRole carries the role's tags on AWS; when it shows no managed tag, ListRoleTags confirms before a TagRole is
        /// planned (a store whose GetRole leaves tags out is not re-tagged every run; one without ListRoleTags: the role is
        /// taken as tagged).
        /// </summary>
        private async Task<bool> HasManagedTagAsync(string roleName, CancellationToken cancellationToken)
        {
            try
            {
                return Inspection.ManagedTag.IsIn(await _iam.ListAllRoleTagsAsync(roleName, cancellationToken).ConfigureAwait(false));
            }
            catch (BackupIamException ex) when (ex.ErrorId == "IamOperationNotSupported")
            {
                return true;
            }
        }
    }
}

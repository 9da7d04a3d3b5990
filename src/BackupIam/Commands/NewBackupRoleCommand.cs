using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using BackupIam.Abstractions;
using BackupIam.Engine.Aws;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Roles;

namespace BackupIam.Commands
{
    /// <summary>
    /// Creates (or brings up to date) an IAM role that a CI runner assumes with its OIDC token: the OIDC identity
    /// provider if missing, a trust policy pinned to one source, and the role's inline permissions piped in.
    /// </summary>
    [Cmdlet(VerbsCommon.New, "BackupRole", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = GitHubSet, HelpUri = HelpLinks.HelpSource + "New-BackupRole.md")]
    [OutputType(typeof(BackupRole))]
    public sealed class NewBackupRoleCommand : AwsCmdlet
    {
        private const string GitHubSet = "GitHubActions";
        private const string AzureSet = "AzurePipelines";
        private const string IssuerSet = "Issuer";

        // Engine types stay out of the cmdlet's layout (PowerShell reads it before the engine is loadable).
        private readonly List<KeyValuePair<string, string>> _policies = new List<KeyValuePair<string, string>>();
        private bool _failed;

        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string RoleName { get; set; } = "";

        [Parameter(Mandatory = true, ParameterSetName = GitHubSet)]
        [ValidateNotNullOrEmpty]
        public string GitHubRepository { get; set; } = "";

        [Parameter(ParameterSetName = GitHubSet)]
        [ValidateNotNullOrEmpty]
        public string[]? Branch { get; set; }

        [Parameter(ParameterSetName = GitHubSet)]
        [ValidateNotNullOrEmpty]
        public string[]? GitTag { get; set; }

        [Parameter(ParameterSetName = GitHubSet)]
        [ValidateNotNullOrEmpty]
        public string[]? Environment { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = AzureSet)]
        [ValidateNotNullOrEmpty]
        public string AzureDevOpsOrganizationId { get; set; } = "";

        [Parameter(Mandatory = true, ParameterSetName = AzureSet)]
        [ValidateNotNullOrEmpty]
        public string AzureDevOpsOrganization { get; set; } = "";

        [Parameter(Mandatory = true, ParameterSetName = AzureSet)]
        [ValidateNotNullOrEmpty]
        public string AzureDevOpsProject { get; set; } = "";

        [Parameter(Mandatory = true, ParameterSetName = AzureSet)]
        [ValidateNotNullOrEmpty]
        public string ServiceConnection { get; set; } = "";

        [Parameter(Mandatory = true, ParameterSetName = IssuerSet)]
        [ValidateNotNullOrEmpty]
        public string Issuer { get; set; } = "";

        [Parameter(Mandatory = true, ParameterSetName = IssuerSet)]
        [ValidateNotNullOrEmpty]
        public string[] Audience { get; set; } = new string[0];

        [Parameter(Mandatory = true, ParameterSetName = IssuerSet)]
        [ValidateNotNullOrEmpty]
        public string[] Subject { get; set; } = new string[0];

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? Thumbprint { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? PermissionsBoundary { get; set; }

        [Parameter]
        public int? MaxSessionDuration { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Description { get; set; }

        /// <summary>The name of an inline policy; binds by property name, for example from New-BackupPolicy.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string? PolicyName { get; set; }

        /// <summary>An inline policy as JSON; binds by property name, for example from New-BackupPolicy.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string? PolicyDocument { get; set; }

        /// <summary>BackupPolicy objects from New-BackupPolicy, given on the command line.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public BackupPolicy[]? Policy { get; set; }

        private protected override void ValidateBoundParameters()
        {
            // Everything on the command line is checked here, before any call (and before an earlier pipeline stage writes).
            BuildSpec();
        }

        protected override void ProcessRecord()
        {
            if (PolicyDocument == null && PolicyName == null)
            {
                return;
            }

            try
            {
                if (string.IsNullOrEmpty(PolicyName) || PolicyDocument == null)
                {
                    throw new InputValidationException(
                        PolicyName == null ? "PolicyNameRequired" : "PolicyDocumentRequired", PolicyName == null ? nameof(PolicyName) : nameof(PolicyDocument),
                        PolicyName == null
                            ? "An inline policy for the role has no name: give New-BackupPolicy -PolicyName (for example -PolicyName UploadFilesToBackup), or -PolicyName with -PolicyDocument."
                            : $"The inline policy '{PolicyName}' has no document: give -PolicyDocument with its JSON, or pipe New-BackupPolicy output.");
                }

                RolePlanner.ValidateInlinePolicy(PolicyName!, PolicyDocument);
                Add(PolicyName!, PolicyDocument);
            }
            catch (BackupIamException ex)
            {
                // A bad policy stops the command before any call: nothing is planned or written.
                _failed = true;
                ThrowFailure(ex, PolicyName ?? RoleName);
            }
        }

        protected override void EndProcessing()
        {
            try
            {
                if (_failed)
                {
                    return;
                }

                RoleSpec spec = BuildSpec();
                var planner = new RolePlanner(Iam, async ct =>
                {
                    using (var sts = new StsGateway(Session))
                    {
                        return (await sts.GetCallerIdentityAsync(ct).ConfigureAwait(false)).Arn;
                    }
                });
                RolePlan plan = Run(ct => planner.PlanAsync(spec, ct));
                PlanOutcome outcome = ApplyPlan(plan);
                OidcSource source = spec.Source!;
                WriteObject(new BackupRole
                {
                    RoleName = spec.RoleName,
                    Arn = plan.RoleArn,
                    ProviderArn = plan.ProviderArn,
                    Source = source.Kind.ToString(),
                    Issuer = source.Issuer,
                    Audience = source.Audiences.ToArray(),
                    Subject = source.Subjects.ToArray(),
                    TrustPolicy = plan.TrustPolicy,
                    PolicyNames = plan.PolicyNames.ToArray(),
                    PermissionsBoundary = spec.PermissionsBoundaryArn,
                    MaxSessionDuration = spec.MaxSessionDuration,
                    Status = outcome.Status.ToString(),
                    Changes = outcome.Actions,
                });
            }
            catch (BackupIamException ex)
            {
                WriteFailure(ex, RoleName);
            }
            finally
            {
                base.EndProcessing();
            }
        }

        private void Add(string name, string document)
        {
            int existing = _policies.FindIndex(p => string.Equals(p.Key, name, StringComparison.Ordinal));
            if (existing >= 0 && !string.Equals(_policies[existing].Value, document, StringComparison.Ordinal))
            {
                throw new InputValidationException("PolicyNameDuplicate", nameof(PolicyName),
                    $"Two different policies are named '{name}': a role's inline policies need distinct names. Give each a -PolicyName.")
                {
                    Target = name,
                };
            }

            if (existing < 0)
            {
                _policies.Add(new KeyValuePair<string, string>(name, document));
            }
        }

        private RoleSpec BuildSpec()
        {
            RolePlanner.ValidateRoleName(RoleName);
            OidcSource source;
            switch (ParameterSetName)
            {
                case AzureSet:
                    source = OidcSource.ForAzurePipelines(AzureDevOpsOrganizationId, AzureDevOpsOrganization, AzureDevOpsProject, ServiceConnection);
                    break;
                case IssuerSet:
                    source = OidcSource.ForIssuer(Issuer, Audience, Subject);
                    break;
                default:
                    source = OidcSource.ForGitHubActions(GitHubRepository, Branch, GitTag, Environment);
                    break;
            }

            var spec = new RoleSpec
            {
                RoleName = RoleName,
                Source = source,
                Thumbprints = Thumbprint == null ? null : OidcSource.ValidateThumbprints(Thumbprint),
                PermissionsBoundaryArn = PermissionsBoundary,
                MaxSessionDuration = MaxSessionDuration,
                Description = Description,
            };

            foreach (BackupPolicy policy in Policy ?? new BackupPolicy[0])
            {
                if (string.IsNullOrEmpty(policy.PolicyName))
                {
                    throw new InputValidationException("PolicyNameRequired", nameof(Policy),
                        "A -Policy item has no PolicyName: create it with New-BackupPolicy -PolicyName (for example -PolicyName UploadFilesToBackup).");
                }

                Add(policy.PolicyName!, policy.PolicyDocument);
            }

            foreach (KeyValuePair<string, string> policy in _policies)
            {
                spec.Policies.Add(new RoleInlinePolicy(policy.Key, policy.Value));
            }

            RolePlanner.Validate(spec);
            return spec;
        }
    }
}

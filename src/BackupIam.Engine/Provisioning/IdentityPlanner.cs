using System;
using System.Collections.Generic;
using System.Linq;
using System.Security;
using System.Threading;
using System.Threading.Tasks;
using BackupIam.Engine.Aws.Iam;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Lint;
using BackupIam.Engine.Naming;
using BackupIam.Engine.Policies;

namespace BackupIam.Engine.Provisioning
{
    /// <summary>The desired state of a backup user.</summary>
    public sealed class UserSpec
    {
        public string UserName { get; set; } = "";

        /// <summary>IAM path; "/" when null.</summary>
        public string? Path { get; set; }

        public IDictionary<string, string>? Tags { get; set; }

        public string? PermissionsBoundaryArn { get; set; }
    }

    public sealed class UserPlan : ResourcePlan
    {
        internal UserPlan(string name) : base("User", name) { }

        /// <summary>The user as AWS reports it (after apply, the created user); null while it does not exist yet.</summary>
        public User? User { get; internal set; }
    }

    public sealed class GroupPlan : ResourcePlan
    {
        internal GroupPlan(string name) : base("Group", name) { }

        public Group? Group { get; internal set; }
    }

    public sealed class MembershipPlan : ResourcePlan
    {
        internal MembershipPlan(string userName, string groupName) : base("GroupMembership", userName + " in " + groupName)
        {
            UserName = userName;
            GroupName = groupName;
        }

        public string UserName { get; }

        public string GroupName { get; }
    }

    /// <summary>Whether an inline policy belongs to a user or a group.</summary>
    public enum InlinePolicyOwner
    {
        User,
        Group,
    }

    public sealed class InlinePolicyPlan : ResourcePlan
    {
        internal InlinePolicyPlan(InlinePolicyOwner owner, string ownerName, string policyName)
            : base(owner + "Policy", ownerName + "/" + policyName)
        {
            Owner = owner;
            OwnerName = ownerName;
            PolicyName = policyName;
        }

        public InlinePolicyOwner Owner { get; }

        public string OwnerName { get; }

        public string PolicyName { get; }

        /// <summary>The desired document, canonical and pretty-printed.</summary>
        public string PolicyDocument { get; internal set; } = "";

        /// <summary>The document AWS held before, canonical, or null when there was none.</summary>
        public string? PreviousDocument { get; internal set; }
    }

    /// <summary>A new access key's id and secret. The secret is only ever held as a SecureString.</summary>
    public sealed class CreatedAccessKey
    {
        internal CreatedAccessKey(string accessKeyId, SecureString secret, DateTime createDate)
        {
            AccessKeyId = accessKeyId;
            SecretAccessKey = secret;
            CreateDate = createDate;
        }

        public string AccessKeyId { get; }

        public SecureString SecretAccessKey { get; }

        public DateTime CreateDate { get; }

        public override string ToString() => AccessKeyId;
    }

    public sealed class AccessKeyPlan : ResourcePlan
    {
        internal AccessKeyPlan(string userName) : base("AccessKey", userName)
        {
            UserName = userName;
        }

        public string UserName { get; }

        /// <summary>The keys the user had before the plan.</summary>
        public IReadOnlyList<AccessKeyMetadata> ExistingKeys { get; internal set; } = new AccessKeyMetadata[0];

        /// <summary>The key created by applying the plan.</summary>
        public CreatedAccessKey? CreatedKey { get; internal set; }

        /// <summary>The profile the new key was stored in, if any.</summary>
        public string? StoredAs { get; internal set; }

        public string? StoredIn { get; internal set; }
    }

    /// <summary>
    /// Plans IAM identity changes: reads what AWS has, compares it with the desired state, and returns the writes that
    /// close the difference. Nothing is written while planning. Applying a plan twice is safe: a second plan is empty.
    /// </summary>
    public sealed class IdentityPlanner
    {
        private readonly IIamClient _iam;

        public IdentityPlanner(IIamClient iam)
        {
            _iam = iam ?? throw new ArgumentNullException(nameof(iam));
        }

        public async Task<UserPlan> PlanUserAsync(UserSpec spec, CancellationToken cancellationToken)
        {
            IamNames.ValidateUserName(spec.UserName);
            IamNames.ValidatePath(spec.Path);
            IamNames.ValidateTags(spec.Tags);
            IamNames.ValidatePolicyArn(spec.PermissionsBoundaryArn, "PermissionsBoundary");
            string path = spec.Path ?? "/";
            var plan = new UserPlan(spec.UserName);
            string target = "user " + spec.UserName;

            User? existing = await GetUserOrNullAsync(spec.UserName, cancellationToken).ConfigureAwait(false);
            if (existing == null)
            {
                plan.Add("iam", "CreateUser", target, $"Create IAM user '{spec.UserName}' (path {path}, no console password)", async ct =>
                {
                    var request = new CreateUserRequest { UserName = spec.UserName, Path = path, PermissionsBoundary = spec.PermissionsBoundaryArn };
                    if (spec.Tags != null)
                    {
                        request.Tags.AddRange(spec.Tags.Select(t => new Tag(t.Key, t.Value)));
                    }

                    try
                    {
                        plan.User = (await _iam.CreateUserAsync(request, ct).ConfigureAwait(false)).User;
                    }
                    catch (EntityAlreadyExistsException)
                    {
                        // A retried CreateUser whose first attempt went through (or a concurrent run): the user is there.
                        plan.User = await GetUserOrNullAsync(spec.UserName, ct).ConfigureAwait(false);
                    }
                });
                return plan;
            }

            plan.Exists = true;
            plan.User = existing;
            if (!string.Equals(existing.Path, path, StringComparison.Ordinal) && spec.Path != null)
            {
                throw new BackupIamException("IamUserPathMismatch", FailureKind.InvalidData,
                    $"IAM user '{spec.UserName}' already exists with path {existing.Path}, not {path}. Use -Path {existing.Path}, or choose another user name.")
                { Target = spec.UserName };
            }

            if (spec.Tags != null)
            {
                var missing = spec.Tags
                    .Where(t => !existing.Tags.Any(e => e.Key == t.Key && e.Value == t.Value))
                    .Select(t => new Tag(t.Key, t.Value))
                    .ToList();
                if (missing.Count > 0)
                {
                    plan.Add("iam", "TagUser", target, $"Set tags {string.Join(", ", missing.Select(t => t.Key))} on IAM user '{spec.UserName}'", ct =>
                        _iam.TagUserAsync(new TagUserRequest { UserName = spec.UserName, Tags = missing }, ct));
                }
            }

            if (spec.PermissionsBoundaryArn != null &&
                !string.Equals(existing.PermissionsBoundary?.PermissionsBoundaryArn, spec.PermissionsBoundaryArn, StringComparison.Ordinal))
            {
                plan.Add("iam", "PutUserPermissionsBoundary", target, $"Set permissions boundary {spec.PermissionsBoundaryArn} on IAM user '{spec.UserName}'", ct =>
                    _iam.PutUserPermissionsBoundaryAsync(new PutUserPermissionsBoundaryRequest { UserName = spec.UserName, PermissionsBoundary = spec.PermissionsBoundaryArn }, ct));
            }

            if (await HasLoginProfileAsync(spec.UserName, cancellationToken).ConfigureAwait(false))
            {
                plan.Warnings.Add($"IAM user '{spec.UserName}' has a console password. A backup user needs none: remove it in the console or with Remove-IAMLoginProfile.");
            }

            return plan;
        }

        public async Task<GroupPlan> PlanGroupAsync(string groupName, string? path, CancellationToken cancellationToken)
        {
            IamNames.ValidateGroupName(groupName);
            IamNames.ValidatePath(path);
            var plan = new GroupPlan(groupName);
            try
            {
                plan.Group = (await _iam.GetGroupAsync(new GetGroupRequest { GroupName = groupName, MaxItems = 1 }, cancellationToken).ConfigureAwait(false)).Group;
                plan.Exists = true;
                if (path != null && !string.Equals(plan.Group.Path, path, StringComparison.Ordinal))
                {
                    throw new BackupIamException("IamGroupPathMismatch", FailureKind.InvalidData,
                        $"IAM group '{groupName}' already exists with path {plan.Group.Path}, not {path}. Use -Path {plan.Group.Path}, or choose another group name.")
                    { Target = groupName };
                }
            }
            catch (NoSuchEntityException)
            {
                plan.Add("iam", "CreateGroup", "group " + groupName, $"Create IAM group '{groupName}'", async ct =>
                {
                    try
                    {
                        plan.Group = (await _iam.CreateGroupAsync(new CreateGroupRequest { GroupName = groupName, Path = path ?? "/" }, ct).ConfigureAwait(false)).Group;
                    }
                    catch (EntityAlreadyExistsException)
                    {
                        // A retried CreateGroup whose first attempt went through (or a concurrent run): the group is there.
                        plan.Group = (await _iam.GetGroupAsync(new GetGroupRequest { GroupName = groupName, MaxItems = 1 }, ct).ConfigureAwait(false)).Group;
                    }
                });
            }

            return plan;
        }

        /// <param name="parentsMayBePlanned">True under -WhatIf: a user or group that does not exist yet is taken as planned, not as an error.</param>
        public async Task<MembershipPlan> PlanMembershipAsync(string userName, string groupName, bool parentsMayBePlanned, CancellationToken cancellationToken)
        {
            IamNames.ValidateUserName(userName);
            IamNames.ValidateGroupName(groupName);
            var plan = new MembershipPlan(userName, groupName);
            IReadOnlyList<Group> groups;
            try
            {
                groups = await _iam.ListAllGroupsForUserAsync(userName, cancellationToken).ConfigureAwait(false);
            }
            catch (NoSuchEntityException ex) when (!parentsMayBePlanned)
            {
                throw new BackupIamException("IamUserNotFound", FailureKind.NotFound,
                    $"IAM user '{userName}' does not exist. Create it first, for example: New-BackupUser -UserName {userName}.", ex) { Target = userName };
            }
            catch (NoSuchEntityException)
            {
                groups = new Group[0];
            }

            if (groups.Any(g => string.Equals(g.GroupName, groupName, StringComparison.Ordinal)))
            {
                plan.Exists = true;
                return plan;
            }

            plan.Add("iam", "AddUserToGroup", "group " + groupName, $"Add IAM user '{userName}' to group '{groupName}'", async ct =>
            {
                try
                {
                    await _iam.AddUserToGroupAsync(new AddUserToGroupRequest { UserName = userName, GroupName = groupName }, ct).ConfigureAwait(false);
                }
                catch (NoSuchEntityException ex)
                {
                    throw new BackupIamException("IamGroupNotFound", FailureKind.NotFound,
                        $"IAM group '{groupName}' does not exist. Create it first, for example: New-BackupGroup -GroupName {groupName}.", ex) { Target = groupName };
                }
            });
            return plan;
        }

        /// <summary>Checks an inline policy's name and document (IAM grammar, no Principal, IAM's size limit) without any call.</summary>
        public static PolicyDocument ValidateInlinePolicy(InlinePolicyOwner owner, string policyName, string policyDocument)
        {
            IamNames.ValidatePolicyName(policyName);
            PolicyDocument desired = PolicyJson.Parse(policyDocument);
            if (desired.Statements.Any(s => s.Principal != null || s.NotPrincipal != null))
            {
                throw new InputValidationException("PolicyNotIdentityPolicy", "PolicyDocument",
                    "An inline user or group policy cannot have a Principal: this looks like a bucket policy. Use Set-BackupBucketPolicy for bucket policies.");
            }

            RequireResources(desired);
            PolicyRules.CheckIdentityPolicy(desired);
            PolicyContainer container = owner == InlinePolicyOwner.User ? PolicyContainer.UserInline : PolicyContainer.GroupInline;
            int size = PolicySizeLimits.Measure(desired, container);
            int limit = PolicySizeLimits.GetLimit(container);
            if (size > limit)
            {
                throw new InputValidationException("PolicyTooLarge", "PolicyDocument",
                    $"The policy is {size} characters without whitespace; IAM allows {limit} for a {owner.ToString().ToLowerInvariant()} inline policy. Split it or use a managed policy.");
            }

            return desired;
        }

        /// <summary>IAM and S3 refuse a statement without Resource or NotResource; refuse it before anything is created.</summary>
        internal static void RequireResources(PolicyDocument document)
        {
            for (int i = 0; i < document.Statements.Count; i++)
            {
                if (document.Statements[i].Resources.Count == 0)
                {
                    PolicyStatement statement = document.Statements[i];
                    string sid = string.IsNullOrEmpty(statement.Sid) ? string.Empty : $" (Sid '{statement.Sid}')";
                    throw new InputValidationException("PolicyStatementWithoutResource", "PolicyDocument",
                        $"Statement[{i}]{sid} has no Resource: IAM refuses such a policy. Add the resources it applies to, for example \"Resource\": \"arn:aws:s3:::my-backup-bucket/backup/*\".");
                }
            }
        }

        public async Task<InlinePolicyPlan> PlanInlinePolicyAsync(
            InlinePolicyOwner owner, string ownerName, string policyName, string policyDocument, bool parentsMayBePlanned, CancellationToken cancellationToken)
        {
            if (owner == InlinePolicyOwner.User)
            {
                IamNames.ValidateUserName(ownerName);
            }
            else
            {
                IamNames.ValidateGroupName(ownerName);
            }

            PolicyDocument desired = ValidateInlinePolicy(owner, policyName, policyDocument);

            string desiredCanonical = PolicyJson.ToJson(desired, indented: false);
            var plan = new InlinePolicyPlan(owner, ownerName, policyName) { PolicyDocument = PolicyJson.ToJson(desired, indented: true) };
            string? current = null;
            try
            {
                current = owner == InlinePolicyOwner.User
                    ? (await _iam.GetUserPolicyAsync(new GetUserPolicyRequest { UserName = ownerName, PolicyName = policyName }, cancellationToken).ConfigureAwait(false)).PolicyDocument
                    : (await _iam.GetGroupPolicyAsync(new GetGroupPolicyRequest { GroupName = ownerName, PolicyName = policyName }, cancellationToken).ConfigureAwait(false)).PolicyDocument;
            }
            catch (NoSuchEntityException)
            {
                // No such policy (or, under -WhatIf, no such owner yet): it will be created.
            }

            if (current != null)
            {
                plan.Exists = true;
                string currentCanonical;
                try
                {
                    currentCanonical = PolicyJson.ToJson(PolicyJson.Parse(current), indented: false);
                }
                catch (PolicyFormatException)
                {
                    currentCanonical = current;
                }

                plan.PreviousDocument = currentCanonical;
                if (string.Equals(currentCanonical, desiredCanonical, StringComparison.Ordinal))
                {
                    return plan;
                }
            }

            string verb = current == null ? "Create" : "Replace";
            string ownerWord = owner.ToString().ToLowerInvariant();
            plan.Add("iam", owner == InlinePolicyOwner.User ? "PutUserPolicy" : "PutGroupPolicy", ownerWord + " " + ownerName,
                $"{verb} inline policy '{policyName}' on IAM {ownerWord} '{ownerName}'", async ct =>
                {
                    try
                    {
                        if (owner == InlinePolicyOwner.User)
                        {
                            await _iam.PutUserPolicyAsync(new PutUserPolicyRequest { UserName = ownerName, PolicyName = policyName, PolicyDocument = desiredCanonical }, ct).ConfigureAwait(false);
                        }
                        else
                        {
                            await _iam.PutGroupPolicyAsync(new PutGroupPolicyRequest { GroupName = ownerName, PolicyName = policyName, PolicyDocument = desiredCanonical }, ct).ConfigureAwait(false);
                        }
                    }
                    catch (NoSuchEntityException ex)
                    {
                        string create = owner == InlinePolicyOwner.User ? "New-BackupUser -UserName " : "New-BackupGroup -GroupName ";
                        throw new BackupIamException(owner == InlinePolicyOwner.User ? "IamUserNotFound" : "IamGroupNotFound", FailureKind.NotFound,
                            $"IAM {ownerWord} '{ownerName}' does not exist. Create it first, for example: {create}{ownerName}.", ex) { Target = ownerName };
                    }
                });
            return plan;
        }

        /// <summary>
        /// Plans a new access key. A user that already has a key keeps it (the plan is empty) unless
        /// <paramref name="additional"/> asks for a second one; a third key is refused before anything is written.
        /// </summary>
        public async Task<AccessKeyPlan> PlanAccessKeyAsync(
            string userName, bool additional, AccessKeyStoreRequest? store, bool parentsMayBePlanned, CancellationToken cancellationToken)
        {
            IamNames.ValidateUserName(userName);
            if (store != null)
            {
                IamNames.ValidateProfileName(store.ProfileName);
                CredentialFileStore.CheckWritable(store);
            }

            var plan = new AccessKeyPlan(userName);
            try
            {
                plan.ExistingKeys = await _iam.ListAllAccessKeysAsync(userName, cancellationToken).ConfigureAwait(false);
            }
            catch (NoSuchEntityException ex) when (!parentsMayBePlanned)
            {
                throw new BackupIamException("IamUserNotFound", FailureKind.NotFound,
                    $"IAM user '{userName}' does not exist. Create it first, for example: New-BackupUser -UserName {userName}.", ex) { Target = userName };
            }
            catch (NoSuchEntityException)
            {
                plan.ExistingKeys = new AccessKeyMetadata[0];
            }

            if (store != null)
            {
                bool exists = CredentialFileStore.TryReadProfile(store, out string? stored);
                if (exists && stored != null && plan.ExistingKeys.Any(k => k.AccessKeyId == stored))
                {
                    // The profile already holds one of this user's keys: nothing to store unless a new key is made.
                    plan.StoredAs = store.ProfileName;
                    plan.StoredIn = CredentialFileStore.ResolvePath(store.ProfileLocation);
                }
                else if (exists && !store.Overwrite)
                {
                    string holds = stored != null ? $"access key {stored}, which is not a key of IAM user '{userName}'" : "credentials that are not an access key of this user (a role, SSO or process profile)";
                    throw new InputValidationException("CredentialProfileExists", "StoreAs",
                        $"Profile '{store.ProfileName}' in {CredentialFileStore.ResolvePath(store.ProfileLocation)} already holds {holds}. " +
                        "Choose another -StoreAs name, or give -Force to replace that profile.");
                }
            }

            if (plan.ExistingKeys.Count >= 2 && additional)
            {
                throw new BackupIamException("AccessKeyLimitReached", FailureKind.LimitExceeded,
                    $"IAM user '{userName}' already has 2 access keys ({string.Join(", ", plan.ExistingKeys.Select(k => k.AccessKeyId + " " + k.Status))}); " +
                    "IAM allows two, and a third is refused. Delete the key you no longer use (Remove-IAMAccessKey) before creating another.")
                { Target = userName };
            }

            if (plan.ExistingKeys.Count > 0 && !additional)
            {
                plan.Exists = true;
                plan.Notes.Add($"IAM user '{userName}' already has an access key ({plan.ExistingKeys[0].AccessKeyId}); its secret cannot be shown again. Use -Additional to create a second key for rotation.");
                return plan;
            }

            plan.Add("iam", "CreateAccessKey", "user " + userName, $"Create an access key for IAM user '{userName}'" + (store == null ? string.Empty : $" and store it as profile '{store.ProfileName}'"), async ct =>
            {
                AccessKey key = await CreateAccessKeyOrCleanUpAsync(plan, ct).ConfigureAwait(false);
                SecureString secret = ToSecureString(key.SecretAccessKey);
                if (store != null)
                {
                    try
                    {
                        plan.StoredIn = CredentialFileStore.Store(store, key.AccessKeyId, key.SecretAccessKey);
                        plan.StoredAs = store.ProfileName;
                    }
                    catch (Exception ex) when (!(ex is OperationCanceledException))
                    {
                        // Never leave a live key whose secret nobody holds: take it back, then report.
                        try
                        {
                            await _iam.DeleteAccessKeyAsync(new DeleteAccessKeyRequest { UserName = userName, AccessKeyId = key.AccessKeyId }, CancellationToken.None).ConfigureAwait(false);
                        }
                        catch (Exception deleteFailure)
                        {
                            throw new BackupIamException("AccessKeyOrphaned", FailureKind.InvalidData,
                                $"The new access key {key.AccessKeyId} could not be stored as profile '{store.ProfileName}' ({ex.Message}), and deleting it again failed too ({deleteFailure.Message}). " +
                                $"The key is active and its secret is not kept anywhere: delete it now (aws iam delete-access-key --user-name {userName} --access-key-id {key.AccessKeyId}).",
                                new AggregateException(ex, deleteFailure))
                            { Target = userName };
                        }

                        throw new BackupIamException("AccessKeyStoreFailed", FailureKind.InvalidData,
                            $"The new access key {key.AccessKeyId} could not be stored as profile '{store.ProfileName}' ({ex.Message}); it was deleted again so no unrecorded key is left. Fix the cause and run the command again.", ex)
                        { Target = userName };
                    }
                }

                plan.CreatedKey = new CreatedAccessKey(key.AccessKeyId, secret, key.CreateDate);
            });
            return plan;
        }

        /// <summary>
        /// CreateAccessKey has no idempotency token: when IAM's answer is lost (timeout, dropped connection, 5xx, Ctrl+C),
        /// a key may exist whose secret nobody received. Then every key that was not there when the plan was made is
        /// deleted again, and the failure says so; a re-run creates the key afresh.
        /// </summary>
        private async Task<AccessKey> CreateAccessKeyOrCleanUpAsync(AccessKeyPlan plan, CancellationToken cancellationToken)
        {
            try
            {
                return (await _iam.CreateAccessKeyAsync(new CreateAccessKeyRequest { UserName = plan.UserName }, cancellationToken).ConfigureAwait(false)).AccessKey;
            }
            catch (Exception ex) when (IsUncertain(ex))
            {
                var deleted = new List<string>();
                try
                {
                    IReadOnlyList<AccessKeyMetadata> now = await _iam.ListAllAccessKeysAsync(plan.UserName, CancellationToken.None).ConfigureAwait(false);
                    foreach (AccessKeyMetadata key in now.Where(k => !plan.ExistingKeys.Any(e => e.AccessKeyId == k.AccessKeyId)))
                    {
                        await _iam.DeleteAccessKeyAsync(new DeleteAccessKeyRequest { UserName = plan.UserName, AccessKeyId = key.AccessKeyId }, CancellationToken.None).ConfigureAwait(false);
                        deleted.Add(key.AccessKeyId);
                    }
                }
                catch (Exception cleanup) when (!(cleanup is OperationCanceledException))
                {
                    throw new BackupIamException("AccessKeyOrphaned", FailureKind.ConnectionError,
                        $"IAM did not confirm CreateAccessKey for user '{plan.UserName}' ({ex.Message}), and checking for a key it may have created failed too ({cleanup.Message}). " +
                        $"List the user's keys (aws iam list-access-keys --user-name {plan.UserName}) and delete any you did not receive a secret for.",
                        new AggregateException(ex, cleanup))
                    { Target = plan.UserName };
                }

                if (ex is OperationCanceledException)
                {
                    throw;
                }

                throw new BackupIamException("AccessKeyCreateUncertain", FailureKind.ConnectionError,
                    $"IAM did not confirm CreateAccessKey for user '{plan.UserName}' ({ex.Message}). " +
                    (deleted.Count == 0 ? "No new key was found. " : $"The key it had created ({string.Join(", ", deleted)}) was deleted again, since its secret was never received. ") +
                    "Run the command again.", ex)
                { Target = plan.UserName };
            }
        }

        private static bool IsUncertain(Exception ex)
        {
            if (ex is IamServiceException service)
            {
                // 4xx answers are definite refusals (nothing was created); 5xx may have been applied.
                return service.HttpStatus >= 500;
            }

            return ex is OperationCanceledException || (ex is BackupIamException b && (b.Kind == FailureKind.ConnectionError || b.Kind == FailureKind.OperationTimeout));
        }

        private async Task<User?> GetUserOrNullAsync(string userName, CancellationToken cancellationToken)
        {
            try
            {
                return (await _iam.GetUserAsync(new GetUserRequest { UserName = userName }, cancellationToken).ConfigureAwait(false)).User;
            }
            catch (NoSuchEntityException)
            {
                return null;
            }
        }

        private async Task<bool> HasLoginProfileAsync(string userName, CancellationToken cancellationToken)
        {
            try
            {
                await _iam.GetLoginProfileAsync(new GetLoginProfileRequest { UserName = userName }, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (NoSuchEntityException)
            {
                return false;
            }
        }

        private static SecureString ToSecureString(string value)
        {
            var secure = new SecureString();
            foreach (char c in value)
            {
                secure.AppendChar(c);
            }

            secure.MakeReadOnly();
            return secure;
        }
    }
}

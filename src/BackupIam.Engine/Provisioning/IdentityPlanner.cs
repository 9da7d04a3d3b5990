using System;
using System.Collections.Generic;
using System.Linq;
using System.Security;
using System.Threading;
using System.Threading.Tasks;
using BackupIam.Engine.Aws;
using BackupIam.Engine.Aws.Iam;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Inspection;
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

    /// <summary>
    /// A plan for one user's access key. When it was planned with <c>readUnderLock</c> it holds the user's lock from its
    /// ListAccessKeys until its CreateAccessKey has ended: dispose it once applied (or not applied), which releases the
    /// lock if the create step has not already.
    /// </summary>
    public sealed class AccessKeyPlan : ResourcePlan, IDisposable
    {
        private FileLock? _userLock;

        internal AccessKeyPlan(string userName) : base("AccessKey", userName)
        {
            UserName = userName;
        }

        /// <summary>True while the plan holds the user's lock, taken before its ListAccessKeys (issue 16).</summary>
        public bool HoldsUserLock => Volatile.Read(ref _userLock) != null;

        internal void HoldUserLock(FileLock userLock) => _userLock = userLock;

        /// <summary>The lock taken while planning, handed to the create step once (null when there is none, or it was taken).</summary>
        internal FileLock? TakeUserLock() => Interlocked.Exchange(ref _userLock, null);

        /// <summary>Releases the user's lock if the plan still holds it (the create step did not run).</summary>
        public void Dispose() => TakeUserLock()?.Dispose();

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
        private readonly AccessKeyJournal? _journal;

        /// <param name="journal">
        /// Where key creations in flight are journaled and runs for one user take their lock (the cmdlets always give
        /// one); without it, a key whose answer was lost is only looked for during this run.
        /// </param>
        public IdentityPlanner(IIamClient iam, AccessKeyJournal? journal = null)
        {
            _iam = iam ?? throw new ArgumentNullException(nameof(iam));
            _journal = journal;
        }

        /// <param name="readsAhead">
        /// Called as GetUser is sent, with the user's own GetLoginProfile (issue 16): the caller starts the reads a later
        /// step needs of an existing user, so that they travel together with it. When the plan says the user does not
        /// exist (<see cref="ResourcePlan.Exists"/> false), or planning fails, the caller drops them unread.
        /// </param>
        public async Task<UserPlan> PlanUserAsync(UserSpec spec, CancellationToken cancellationToken, Action? readsAhead = null)
        {
            IamNames.ValidateUserName(spec.UserName);
            IamNames.ValidatePath(spec.Path);
            IamNames.ValidateTags(spec.Tags);
            IamNames.ValidatePolicyArn(spec.PermissionsBoundaryArn, "PermissionsBoundary");
            IDictionary<string, string> tags = ManagedUserTags(spec.Tags);
            string path = spec.Path ?? "/";
            var plan = new UserPlan(spec.UserName);
            string target = "user " + spec.UserName;

            // An existing user's reads are sent together with GetUser, not after its answer (issue 16). When GetUser finds
            // no user, or fails, they are dropped unread: no warning or error ever comes from them.
            Task<User?> userRead = GetUserOrNullAsync(spec.UserName, cancellationToken);
            Task<bool> loginProfileRead = Observed(HasLoginProfileAsync(spec.UserName, cancellationToken));
            readsAhead?.Invoke();
            User? existing = await userRead.ConfigureAwait(false);
            if (existing == null)
            {
                plan.Add("iam", "CreateUser", target, $"Create IAM user '{spec.UserName}' (path {path}, no console password)", async ct =>
                {
                    var request = new CreateUserRequest { UserName = spec.UserName, Path = path, PermissionsBoundary = spec.PermissionsBoundaryArn };
                    request.Tags.AddRange(tags.Select(t => new Tag(t.Key, t.Value)));

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

            // The caller's tags and the module's own (backupiam:managed), so that Get-BackupUser lists the user.
            var missing = tags
                .Where(t => !existing.Tags.Any(e => e.Key == t.Key && e.Value == t.Value))
                .Select(t => new Tag(t.Key, t.Value))
                .ToList();
            if (missing.Count > 0)
            {
                plan.Add("iam", "TagUser", target, $"Set tags {string.Join(", ", missing.Select(t => t.Key))} on IAM user '{spec.UserName}'", ct =>
                    _iam.TagUserAsync(new TagUserRequest { UserName = spec.UserName, Tags = missing }, ct));
            }

            if (spec.PermissionsBoundaryArn != null &&
                !string.Equals(existing.PermissionsBoundary?.PermissionsBoundaryArn, spec.PermissionsBoundaryArn, StringComparison.Ordinal))
            {
                plan.Add("iam", "PutUserPermissionsBoundary", target, $"Set permissions boundary {spec.PermissionsBoundaryArn} on IAM user '{spec.UserName}'", ct =>
                    _iam.PutUserPermissionsBoundaryAsync(new PutUserPermissionsBoundaryRequest { UserName = spec.UserName, PermissionsBoundary = spec.PermissionsBoundaryArn }, ct));
            }

            if (await loginProfileRead.ConfigureAwait(false))
            {
                plan.Warnings.Add($"IAM user '{spec.UserName}' has a console password. A backup user needs none: remove it in the console or with Remove-IAMLoginProfile.");
            }

            return plan;
        }

        /// <summary>The caller's tags plus the module's managed tag; the caller may not give the managed tag another value.</summary>
        internal static IDictionary<string, string> ManagedUserTags(IDictionary<string, string>? tags)
        {
            if (tags != null && tags.TryGetValue(ManagedTag.Key, out string? value) && !string.Equals(value, ManagedTag.Value, StringComparison.OrdinalIgnoreCase))
            {
                throw new InputValidationException("IamTagInvalid", "Tag",
                    $"The tag key '{ManagedTag.Key}' is the module's own (value '{ManagedTag.Value}', set on every user it manages); '{value}' cannot be given. Leave it out, or use another key such as @{{ Purpose = 'backup' }}.")
                { Target = ManagedTag.Key };
            }

            IDictionary<string, string> merged = ManagedTag.AddTo(tags);
            if (merged.Count > 50)
            {
                throw new InputValidationException("IamTagInvalid", "Tag",
                    $"IAM allows at most 50 tags per user and the module adds its own '{ManagedTag.Key}': give at most 49; {tags!.Count} were given.");
            }

            return merged;
        }

        /// <param name="readsAhead">
        /// Called as GetGroup is sent (issue 16): the caller starts the reads a later step needs of an existing group (a
        /// piped Set-BackupGroupPolicy's GetGroupPolicy), so that they travel together with it. When the plan says the
        /// group does not exist, or planning fails, the caller drops them unread.
        /// </param>
        public async Task<GroupPlan> PlanGroupAsync(string groupName, string? path, CancellationToken cancellationToken, Action? readsAhead = null)
        {
            IamNames.ValidateGroupName(groupName);
            IamNames.ValidatePath(path);
            var plan = new GroupPlan(groupName);
            Task<GetGroupResponse> groupRead = _iam.GetGroupAsync(new GetGroupRequest { GroupName = groupName, MaxItems = 1 }, cancellationToken);
            readsAhead?.Invoke();
            try
            {
                plan.Group = (await groupRead.ConfigureAwait(false)).Group;
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
        /// <param name="userJustCreated">
        /// True when the caller knows the user was created a moment ago in the same pipeline (issue 16): it is in no group,
        /// so ListGroupsForUser is not sent.
        /// </param>
        /// <param name="groupsRead">ListGroupsForUser for this user, already sent by the caller (issue 16), or null to send it here.</param>
        public async Task<MembershipPlan> PlanMembershipAsync(string userName, string groupName, bool parentsMayBePlanned, CancellationToken cancellationToken, bool userJustCreated = false,
            Task<IReadOnlyList<Group>>? groupsRead = null)
        {
            IamNames.ValidateUserName(userName);
            IamNames.ValidateGroupName(groupName);
            var plan = new MembershipPlan(userName, groupName);
            IReadOnlyList<Group> groups;
            try
            {
                groups = userJustCreated ? new Group[0] : await (groupsRead ?? _iam.ListAllGroupsForUserAsync(userName, cancellationToken)).ConfigureAwait(false);
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

        /// <param name="currentRead">
        /// The policy's GetUserPolicy/GetGroupPolicy document, already sent by the caller (issue 16: New-BackupUser or
        /// New-BackupGroup sent it with its own existence check), or null to send it here.
        /// </param>
        public async Task<InlinePolicyPlan> PlanInlinePolicyAsync(
            InlinePolicyOwner owner, string ownerName, string policyName, string policyDocument, bool parentsMayBePlanned, CancellationToken cancellationToken,
            bool ownerJustCreated = false, Task<string>? currentRead = null)
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
                // A user or group created a moment ago in the same pipeline has no inline policy (issue 16): no read.
                current = ownerJustCreated ? null
                    : await (currentRead ?? ReadInlinePolicyAsync(owner, ownerName, policyName, cancellationToken)).ConfigureAwait(false);
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
        /// A key that an interrupted earlier run made and never delivered (see <see cref="AccessKeyJournal"/>) is
        /// deleted first. With <paramref name="store"/>, a key of the user that the credentials file does not hold is
        /// not silently kept: the plan is refused unless the store request says Overwrite (-Force), which deletes it.
        /// </summary>
        /// <param name="readUnderLock">
        /// The caller applies the plan right away and nothing can decline it (no -WhatIf, no prompt): the user's lock is
        /// taken before the planning ListAccessKeys, and when the plan is only CreateAccessKey the plan keeps holding it
        /// until that step has ended. The planning read is then the check under the lock, and CreateAccessKey follows it
        /// without a second ListAccessKeys (issue 16). Ignored for a user just created or with <paramref name="keysRead"/>
        /// (their check under the lock is the only read at apply time). Dispose the plan after applying it.
        /// </param>
        /// <param name="lockHeldSinceCreate">
        /// The user's lock (<see cref="AccessKeyJournal.LockUserAsync"/>), taken by the caller before it created the user a
        /// moment ago in the same pipeline and held since (issue 16), so no other run of the module can have made a key
        /// for it: with <paramref name="userJustCreated"/> the user has no keys and CreateAccessKey is sent without any
        /// ListAccessKeys. The plan owns the lock from here on and releases it when CreateAccessKey has ended, or when
        /// the plan is disposed; it is released at once when the user was not just created or there is no journal.
        /// </param>
        public async Task<AccessKeyPlan> PlanAccessKeyAsync(
            string userName, bool additional, AccessKeyStoreRequest? store, bool parentsMayBePlanned, CancellationToken cancellationToken,
            bool userJustCreated = false, Task<IReadOnlyList<AccessKeyMetadata>>? keysRead = null, bool readUnderLock = false,
            FileLock? lockHeldSinceCreate = null)
        {
            if (lockHeldSinceCreate != null && (!userJustCreated || _journal == null || parentsMayBePlanned))
            {
                lockHeldSinceCreate.Dispose();
                lockHeldSinceCreate = null;
            }

            FileLock? userLock = lockHeldSinceCreate;
            try
            {
                IamNames.ValidateUserName(userName);
                if (store != null)
                {
                    IamNames.ValidateProfileName(store.ProfileName);
                    CredentialFileStore.CheckWritable(store);
                }

                if (userLock == null && readUnderLock && _journal != null && !userJustCreated && keysRead == null && !parentsMayBePlanned)
                {
                    userLock = await _journal.LockUserAsync(userName, cancellationToken).ConfigureAwait(false);
                }

                AccessKeyPlan plan = await PlanAccessKeyCoreAsync(userName, additional, store, parentsMayBePlanned, userJustCreated, keysRead, cancellationToken).ConfigureAwait(false);
                if (userLock != null && plan.Changes.Count == 1 && plan.Changes[0].Operation == "CreateAccessKey")
                {
                    // Held until CreateAccessKey has ended (or the plan is disposed). A plan that also deletes keys (an
                    // interrupted earlier run's, or -Force) lets the lock go and checks again under it, as before. A lock
                    // held since the user was created counts as the check: no run could list or make a key meanwhile.
                    plan.HoldUserLock(userLock);
                    userLock = null;
                }

                return plan;
            }
            finally
            {
                userLock?.Dispose();
            }
        }

        private async Task<AccessKeyPlan> PlanAccessKeyCoreAsync(
            string userName, bool additional, AccessKeyStoreRequest? store, bool parentsMayBePlanned, bool userJustCreated,
            Task<IReadOnlyList<AccessKeyMetadata>>? keysRead, CancellationToken cancellationToken)
        {
            var plan = new AccessKeyPlan(userName);
            IReadOnlyList<AccessKeyMetadata> listed;
            try
            {
                // A user created a moment ago in the same pipeline has no keys (issue 16): no read at planning time. The
                // check under the per-user lock before CreateAccessKey still lists them.
                // keysRead: the same request, sent early by the caller (issue 16).
                listed = userJustCreated ? new AccessKeyMetadata[0] : await (keysRead ?? _iam.ListAllAccessKeysAsync(userName, cancellationToken)).ConfigureAwait(false);
            }
            catch (NoSuchEntityException ex) when (!parentsMayBePlanned)
            {
                throw new BackupIamException("IamUserNotFound", FailureKind.NotFound,
                    $"IAM user '{userName}' does not exist. Create it first, for example: New-BackupUser -UserName {userName}.", ex) { Target = userName };
            }
            catch (NoSuchEntityException)
            {
                listed = new AccessKeyMetadata[0];
            }

            HashSet<string> held = store != null ? CredentialFileStore.HeldKeyIds(store) : new HashSet<string>(StringComparer.Ordinal);
            List<AccessKeyMetadata> undelivered = Undelivered(userName, listed, held);
            foreach (AccessKeyMetadata orphan in undelivered)
            {
                PlanDeleteKey(plan, orphan, "made by an interrupted earlier run and never delivered: nobody holds its secret");
            }

            var remaining = listed.Where(k => !undelivered.Contains(k)).ToList();
            plan.ExistingKeys = remaining;

            string? storedKey = null;
            if (store != null)
            {
                bool exists = CredentialFileStore.TryReadProfile(store, out storedKey);
                if (exists && storedKey != null && remaining.Any(k => k.AccessKeyId == storedKey))
                {
                    // The profile already holds one of this user's keys: nothing to store unless a new key is made.
                    plan.StoredAs = store.ProfileName;
                    plan.StoredIn = CredentialFileStore.ResolvePath(store.ProfileLocation);
                }
                else if (exists && !store.Overwrite)
                {
                    string holds = storedKey != null ? $"access key {storedKey}, which is not a key of IAM user '{userName}'" : "credentials that are not an access key of this user (a role, SSO or process profile)";
                    throw new InputValidationException("CredentialProfileExists", "StoreAs",
                        $"Profile '{store.ProfileName}' in {CredentialFileStore.ResolvePath(store.ProfileLocation)} already holds {holds}. " +
                        "Choose another -StoreAs name, or give -Force to replace that profile.");
                }

                if (plan.StoredAs == null && !additional && remaining.Count > 0)
                {
                    // The user has a key whose secret this file does not hold: it cannot be read back, so storing "nothing"
                    // would never finish the job. Replace it only when told to.
                    List<AccessKeyMetadata> unheld = remaining.Where(k => !held.Contains(k.AccessKeyId)).ToList();
                    if (unheld.Count == remaining.Count && !store.Overwrite)
                    {
                        throw new BackupIamException("AccessKeyNotStored", FailureKind.InvalidData,
                            $"IAM user '{userName}' already has {Describe(unheld)}, and no profile in {CredentialFileStore.ResolvePath(store.ProfileLocation)} holds it; " +
                            "its secret cannot be read back. If nobody holds that secret, give -Force to delete it and store a new key as profile " +
                            $"'{store.ProfileName}'. If it is in use elsewhere, give -Additional to create and store a second key.")
                        { Target = userName };
                    }

                    if (unheld.Count == remaining.Count)
                    {
                        foreach (AccessKeyMetadata key in unheld)
                        {
                            PlanDeleteKey(plan, key, "no profile of the credentials file holds its secret (-Force)");
                        }

                        plan.Exists = true;
                        remaining = new List<AccessKeyMetadata>();
                        plan.ExistingKeys = remaining;
                    }
                }
            }

            if (remaining.Count >= 2 && additional)
            {
                throw new BackupIamException("AccessKeyLimitReached", FailureKind.LimitExceeded,
                    $"IAM user '{userName}' already has 2 access keys ({string.Join(", ", remaining.Select(k => k.AccessKeyId + " " + k.Status))}); " +
                    "IAM allows two, and a third is refused. Delete the key you no longer use (Remove-IAMAccessKey) before creating another.")
                { Target = userName };
            }

            if (remaining.Count > 0 && !additional)
            {
                plan.Exists = true;
                plan.Notes.Add($"IAM user '{userName}' already has an access key ({remaining[0].AccessKeyId}); its secret cannot be shown again. Use -Additional to create a second key for rotation.");
                return plan;
            }

            plan.Add("iam", "CreateAccessKey", "user " + userName, $"Create an access key for IAM user '{userName}'" + (store == null ? string.Empty : $" and store it as profile '{store.ProfileName}'"), async ct =>
            {
                // The lock the plan took before its ListAccessKeys (readUnderLock), held since: that read was under it.
                FileLock? userLock = plan.TakeUserLock();
                bool listedUnderLock = userLock != null;
                if (userLock == null && _journal != null)
                {
                    userLock = await _journal.LockUserAsync(userName, ct).ConfigureAwait(false);
                }

                try
                {
                    return await CreateUnderLockAsync(plan, additional, store, listedUnderLock, ct).ConfigureAwait(false);
                }
                finally
                {
                    userLock?.Dispose();
                }
            });
            return plan;
        }

        /// <summary>The keys an interrupted earlier run made and never delivered (none without a journal).</summary>
        private List<AccessKeyMetadata> Undelivered(string userName, IReadOnlyList<AccessKeyMetadata> keys, HashSet<string> held)
        {
            PendingKeyCreation? pending = _journal?.Read(userName);
            if (pending == null)
            {
                return new List<AccessKeyMetadata>();
            }

            return keys.Where(k => pending.Made(k) && !held.Contains(k.AccessKeyId)).ToList();
        }

        private void PlanDeleteKey(AccessKeyPlan plan, AccessKeyMetadata key, string why)
        {
            plan.Add("iam", "DeleteAccessKey", "user " + plan.UserName, $"Delete access key {key.AccessKeyId} of IAM user '{plan.UserName}' (created {key.CreateDate:u}): {why}", async ct =>
            {
                try
                {
                    await _iam.DeleteAccessKeyAsync(new DeleteAccessKeyRequest { UserName = plan.UserName, AccessKeyId = key.AccessKeyId }, ct).ConfigureAwait(false);
                    return true;
                }
                catch (NoSuchEntityException)
                {
                    return false;
                }
            });
        }

        private static string Describe(IReadOnlyCollection<AccessKeyMetadata> keys) =>
            (keys.Count == 1 ? "access key " : "access keys ") + string.Join(", ", keys.Select(k => $"{k.AccessKeyId} (created {k.CreateDate:u}, {k.Status})"));

        /// <summary>
        /// The create step, under the user's lock: look again at the user's keys (another run may have made and stored
        /// one meanwhile), journal the request, create, store, and only then forget the journal entry. With
        /// <paramref name="listedUnderLock"/> the plan's own ListAccessKeys was made under this same lock, held since, so
        /// no other run can have made or left a key meanwhile: that read is the check, and it is not sent again.
        /// </summary>
        private async Task<bool> CreateUnderLockAsync(AccessKeyPlan plan, bool additional, AccessKeyStoreRequest? store, bool listedUnderLock, CancellationToken cancellationToken)
        {
            string userName = plan.UserName;
            IReadOnlyList<AccessKeyMetadata> before = plan.ExistingKeys;
            if (_journal != null && !listedUnderLock)
            {
                before = await _iam.ListAllAccessKeysAsync(userName, cancellationToken).ConfigureAwait(false);
                HashSet<string> held = store != null ? CredentialFileStore.HeldKeyIds(store) : new HashSet<string>(StringComparer.Ordinal);
                foreach (AccessKeyMetadata orphan in Undelivered(userName, before, held))
                {
                    // An interrupted run for this user ended while we waited for its lock.
                    await _iam.DeleteAccessKeyAsync(new DeleteAccessKeyRequest { UserName = userName, AccessKeyId = orphan.AccessKeyId }, cancellationToken).ConfigureAwait(false);
                    before = before.Where(k => k.AccessKeyId != orphan.AccessKeyId).ToList();
                }

                var madeMeanwhile = before.Where(k => !plan.ExistingKeys.Any(e => e.AccessKeyId == k.AccessKeyId)).ToList();
                if (madeMeanwhile.Count > 0)
                {
                    string? storedKey = null;
                    bool storedHere = store != null && CredentialFileStore.TryReadProfile(store, out storedKey) && madeMeanwhile.Any(k => k.AccessKeyId == storedKey);
                    if (storedHere || (store == null && !additional))
                    {
                        // Another run for the same user made (and stored) a key while this one waited: that finishes the job.
                        plan.Exists = true;
                        plan.ExistingKeys = before;
                        if (storedHere)
                        {
                            plan.StoredAs = store!.ProfileName;
                            plan.StoredIn = CredentialFileStore.ResolvePath(store.ProfileLocation);
                        }

                        return false;
                    }
                }
            }

            PendingKeyCreation? pending = _journal?.Begin(userName, before.Select(k => k.AccessKeyId),
                store?.ProfileName, store == null ? null : CredentialFileStore.ResolvePath(store.ProfileLocation));
            AccessKey key = await CreateAccessKeyOrCleanUpAsync(plan, before, pending, cancellationToken).ConfigureAwait(false);
            SecureString secret = ToSecureString(key.SecretAccessKey);
            if (store != null)
            {
                try
                {
                    BeforeSecretStored?.Invoke(key.AccessKeyId, secret);
                    plan.StoredIn = await CredentialFileStore.StoreAsync(store, key.AccessKeyId, key.SecretAccessKey, cancellationToken).ConfigureAwait(false);
                    plan.StoredAs = store.ProfileName;
                }
                catch (Exception ex)
                {
                    // Never leave a live key whose secret nobody holds: take it back, then report.
                    try
                    {
                        await _iam.DeleteAccessKeyAsync(new DeleteAccessKeyRequest { UserName = userName, AccessKeyId = key.AccessKeyId }, CancellationToken.None).ConfigureAwait(false);
                    }
                    catch (Exception deleteFailure)
                    {
                        throw new BackupIamException("AccessKeyOrphaned", FailureKind.InvalidData,
                            $"The new access key {key.AccessKeyId} of IAM user '{userName}' could not be stored as profile '{store.ProfileName}' ({Reason(ex)}), " +
                            $"and the DeleteAccessKey that should take it back failed too ({Reason(deleteFailure)}). The key is active and its secret is kept nowhere. " +
                            $"Delete it now: aws iam delete-access-key --user-name {userName} --access-key-id {key.AccessKeyId} " +
                            "(or run this command again: it deletes the key first, since the run is journaled).",
                            new AggregateException(ex, deleteFailure))
                        { Target = userName };
                    }

                    _journal?.Clear(userName);
                    if (ex is OperationCanceledException)
                    {
                        throw;
                    }

                    throw new BackupIamException("AccessKeyStoreFailed", FailureKind.InvalidData,
                        $"The new access key {key.AccessKeyId} could not be stored as profile '{store.ProfileName}' ({Reason(ex)}); it was deleted again so no unrecorded key is left. Fix the cause and run the command again.", ex)
                    { Target = userName };
                }
            }

            plan.CreatedKey = new CreatedAccessKey(key.AccessKeyId, secret, key.CreateDate);
            _journal?.Clear(userName);
            return true;
        }

        private static string Reason(Exception ex) => ex is OperationCanceledException ? "the command was stopped" : ex.Message;

        /// <summary>
        /// Called with a new key's id and secret right before the secret is written to the credentials file (a CI
        /// runner masks it here, issue 15). If it throws, the key is deleted again as for a failed write.
        /// </summary>
        public Action<string, SecureString>? BeforeSecretStored { get; set; }

        /// <summary>How long to look again for a key after an uncertain CreateAccessKey (a late answer); default 15 s.</summary>
        public TimeSpan UncertainKeyWait { get; set; } = TimeSpan.FromSeconds(15);

        /// <summary>How often to look while waiting; default 1 s.</summary>
        public TimeSpan UncertainKeyPoll { get; set; } = TimeSpan.FromSeconds(1);

        /// <summary>How long the clean-up may take after Ctrl+C (the command should stop within about a second).</summary>
        public TimeSpan CancelledCleanupBudget { get; set; } = TimeSpan.FromSeconds(1);

        /// <summary>
        /// CreateAccessKey has no idempotency token and is sent once: when IAM's answer is lost or unreadable (timeout,
        /// dropped connection, 5xx, a truncated body, Ctrl+C), a key may exist whose secret nobody received, possibly
        /// appearing only later. So look again for a key that was not there before the request, for long enough to cover
        /// a late answer (<see cref="UncertainKeyWait"/>), and delete it; if none appears, the journal entry stays, and the
        /// next run deletes one that appears after this run has given up.
        /// </summary>
        private async Task<AccessKey> CreateAccessKeyOrCleanUpAsync(AccessKeyPlan plan, IReadOnlyList<AccessKeyMetadata> before, PendingKeyCreation? pending, CancellationToken cancellationToken)
        {
            try
            {
                return (await _iam.CreateAccessKeyAsync(new CreateAccessKeyRequest { UserName = plan.UserName }, cancellationToken).ConfigureAwait(false)).AccessKey;
            }
            catch (Exception ex) when (IsUncertain(ex))
            {
                bool cancelled = ex is OperationCanceledException;
                TimeSpan wait = cancelled ? CancelledCleanupBudget : UncertainKeyWait;
                var deleted = new List<string>();
                string? found = null;
                using (var budget = new CancellationTokenSource(cancelled ? CancelledCleanupBudget : UncertainKeyWait + TimeSpan.FromSeconds(30)))
                {
                    try
                    {
                        DateTime deadline = DateTime.UtcNow + wait;
                        while (true)
                        {
                            IReadOnlyList<AccessKeyMetadata> now = await _iam.ListAllAccessKeysAsync(plan.UserName, budget.Token).ConfigureAwait(false);
                            foreach (AccessKeyMetadata key in now.Where(k => !before.Any(e => e.AccessKeyId == k.AccessKeyId)))
                            {
                                found = key.AccessKeyId;
                                await _iam.DeleteAccessKeyAsync(new DeleteAccessKeyRequest { UserName = plan.UserName, AccessKeyId = key.AccessKeyId }, budget.Token).ConfigureAwait(false);
                                deleted.Add(key.AccessKeyId);
                                found = null;
                            }

                            if (deleted.Count > 0 || DateTime.UtcNow + UncertainKeyPoll > deadline)
                            {
                                break;
                            }

                            await Task.Delay(UncertainKeyPoll, budget.Token).ConfigureAwait(false);
                        }
                    }
                    catch (Exception cleanup) when (!cancelled)
                    {
                        string failedCall = found != null ? "DeleteAccessKey" : "ListAccessKeys";
                        string what = found != null
                            ? $"It did create access key {found}, whose secret was never received, and deleting it failed ({failedCall}: {Reason(cleanup)}). " +
                              $"Delete it now: aws iam delete-access-key --user-name {plan.UserName} --access-key-id {found}"
                            : $"Looking for a key it may have created failed ({failedCall}: {Reason(cleanup)}). " +
                              $"List the user's keys (aws iam list-access-keys --user-name {plan.UserName}) and delete any created after {pending?.StartedUtc ?? DateTime.UtcNow:u} " +
                              "(aws iam delete-access-key --user-name " + plan.UserName + " --access-key-id <id>)";
                        throw new BackupIamException("AccessKeyOrphaned", FailureKind.ConnectionError,
                            $"IAM did not confirm CreateAccessKey for user '{plan.UserName}' (sent once, never retried: {Reason(ex)}). {what}" +
                            (pending != null ? ", or run this command again: the attempt is journaled and the next run deletes that key first." : "."),
                            new AggregateException(ex, cleanup))
                        { Target = plan.UserName };
                    }
                    catch (Exception) when (cancelled)
                    {
                        // Stopping: the journal entry stays, and the next run removes a key that appears later.
                    }
                }

                if (deleted.Count > 0)
                {
                    _journal?.Clear(plan.UserName);
                }

                if (cancelled)
                {
                    throw;
                }

                string outcome = deleted.Count > 0
                    ? $"The key it had created ({string.Join(", ", deleted)}) was found and deleted again, since its secret was never received. "
                    : pending != null
                        ? $"No new key appeared within {wait.TotalSeconds:0} s. If IAM still makes one, the next run of this command deletes it first (the attempt is journaled in {_journal!.EntryPath(plan.UserName)}). "
                        : $"No new key appeared within {wait.TotalSeconds:0} s; if one appears later, delete it (aws iam list-access-keys --user-name {plan.UserName}, then aws iam delete-access-key). ";
                throw new BackupIamException("AccessKeyCreateUncertain", FailureKind.ConnectionError,
                    $"IAM did not confirm CreateAccessKey for user '{plan.UserName}' (sent once, never retried: {Reason(ex)}). " + outcome + "Run the command again.", ex)
                { Target = plan.UserName };
            }
            catch (Exception)
            {
                // A definite refusal (4xx): nothing was created, nothing is pending.
                _journal?.Clear(plan.UserName);
                throw;
            }
        }

        private static bool IsUncertain(Exception ex)
        {
            if (ex is AwsServiceException service && service.HttpStatus >= 400)
            {
                // An error answer: 4xx is a definite refusal (nothing was created); 5xx may have been applied.
                return service.HttpStatus >= 500;
            }

            // Anything else (a timeout, a dropped connection, an answer that could not be read, Ctrl+C) may follow a
            // request that IAM carried out.
            return !(ex is InputValidationException);
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

        /// <summary>
        /// GetUserPolicy or GetGroupPolicy of one inline policy, as <see cref="PlanInlinePolicyAsync"/> sends it: the
        /// document (URL-decoded by the client), or NoSuchEntityException when the policy or its owner is missing.
        /// </summary>
        public async Task<string> ReadInlinePolicyAsync(InlinePolicyOwner owner, string ownerName, string policyName, CancellationToken cancellationToken) =>
            owner == InlinePolicyOwner.User
                ? (await _iam.GetUserPolicyAsync(new GetUserPolicyRequest { UserName = ownerName, PolicyName = policyName }, cancellationToken).ConfigureAwait(false)).PolicyDocument
                : (await _iam.GetGroupPolicyAsync(new GetGroupPolicyRequest { GroupName = ownerName, PolicyName = policyName }, cancellationToken).ConfigureAwait(false)).PolicyDocument;

        /// <summary>A read sent ahead of its resource's existence check: its failure is observed, so dropping it unread is silent; an await still gets it.</summary>
        private static Task<T> Observed<T>(Task<T> read)
        {
            _ = read.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return read;
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

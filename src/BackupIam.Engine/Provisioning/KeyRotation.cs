using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using BackupIam.Engine.Aws.Iam;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Naming;

namespace BackupIam.Engine.Provisioning
{
    /// <summary>What a rotation should do.</summary>
    public sealed class KeyRotationRequest
    {
        public string UserName { get; set; } = "";

        /// <summary>Where the new key is stored; null: its secret is returned (a SecureString).</summary>
        public AccessKeyStoreRequest? Store { get; set; }

        /// <summary>With two keys: the one to delete first to make room (it must be one of the user's keys).</summary>
        public string? RetireAccessKeyId { get; set; }

        /// <summary>Delete the old key in this run, right after it is deactivated.</summary>
        public bool DeleteRetiredKey { get; set; }

        /// <summary>Delete the deactivated old key in a later run, once this much time has passed since it was deactivated.</summary>
        public TimeSpan? RetiredKeyGracePeriod { get; set; }

        /// <summary>Start a new rotation only when the current key is at least this old (a scheduled script's "every 90 days").</summary>
        public TimeSpan? MinimumKeyAge { get; set; }

        /// <summary>Deactivate the old key without waiting for the new one to work (nothing can probe it).</summary>
        public bool SkipVerification { get; set; }
    }

    /// <summary>The rotation's plan; its Changes are the steps, in order. Filled further while it is applied.</summary>
    public sealed class KeyRotationPlan : ResourcePlan
    {
        internal KeyRotationPlan(string userName) : base("AccessKeyRotation", userName)
        {
            UserName = userName;
        }

        public string UserName { get; }

        /// <summary>What this run does: Rotate, Complete (finish an interrupted rotation), DeleteRetired, Wait (grace), NotDue, Done.</summary>
        public string Phase { get; internal set; } = "";

        /// <summary>The key being replaced.</summary>
        public AccessKeyMetadata? RetiringKey { get; internal set; }

        /// <summary>The key deleted first to make room (two keys and -RetireAccessKeyId).</summary>
        public string? RemovedFirst { get; internal set; }

        /// <summary>The new key's id (made in this run or in an earlier one).</summary>
        public string? NewAccessKeyId { get; internal set; }

        /// <summary>The new key, with its secret, when this run made it.</summary>
        public CreatedAccessKey? CreatedKey { get; internal set; }

        public string? StoredAs { get; internal set; }

        public string? StoredIn { get; internal set; }

        /// <summary>The new key was accepted by the store (null: not probed).</summary>
        public bool? Verified { get; internal set; }

        /// <summary>How long the new key took to be accepted.</summary>
        public TimeSpan? PropagationWait { get; internal set; }

        /// <summary>Status of the retiring key at the end (Active, Inactive, Deleted).</summary>
        public string? RetiringKeyStatus { get; internal set; }

        /// <summary>When a later run deletes the deactivated key (grace period).</summary>
        public DateTime? RetiredKeyDeleteAfter { get; internal set; }

        /// <summary>What each step did, in order (never a secret).</summary>
        public List<string> Steps { get; } = new List<string>();
    }

    /// <summary>
    /// Rotates a user's access key in steps that each leave a state the next run completes: create (through the same
    /// journaled path as New-BackupAccessKey, so a key whose answer was lost is found and deleted), store, wait until the
    /// new key works, deactivate the old key, and delete it when asked or once a grace period has passed. Which key is
    /// being retired is written to the state folder (<see cref="KeyRotationJournal"/>) before the new key is made, so
    /// an interrupted rotation is recognised and finished rather than started again.
    /// </summary>
    public sealed class KeyRotator
    {
        private readonly IIamClient _iam;
        private readonly AccessKeyJournal? _keyJournal;
        private readonly KeyRotationJournal _rotations;
        private readonly IdentityPlanner _planner;

        /// <param name="verify">Waits until a key works: the key id, its secret (null: read it from the store request's profile), the cancellation.</param>
        public KeyRotator(IIamClient iam, AccessKeyJournal? keyJournal, KeyRotationJournal rotations, IdentityPlanner planner,
            Func<string, SecureString?, CancellationToken, Task<(bool Accepted, TimeSpan Waited, string Detail)>> verify)
        {
            _iam = iam ?? throw new ArgumentNullException(nameof(iam));
            _keyJournal = keyJournal;
            _rotations = rotations ?? throw new ArgumentNullException(nameof(rotations));
            _planner = planner ?? throw new ArgumentNullException(nameof(planner));
            Verify = verify ?? throw new ArgumentNullException(nameof(verify));
        }

        private Func<string, SecureString?, CancellationToken, Task<(bool Accepted, TimeSpan Waited, string Detail)>> Verify { get; }

        /// <summary>The time now (tests move it to check grace periods).</summary>
        public Func<DateTime> UtcNow { get; set; } = () => DateTime.UtcNow;

        public async Task<KeyRotationPlan> PlanAsync(KeyRotationRequest request, CancellationToken cancellationToken)
        {
            string user = request.UserName;
            IamNames.ValidateUserName(user);
            AccessKeyStoreRequest? store = request.Store;
            if (store != null)
            {
                IamNames.ValidateProfileName(store.ProfileName);
                CredentialFileStore.CheckWritable(store);
            }

            var plan = new KeyRotationPlan(user) { Exists = true };
            IReadOnlyList<AccessKeyMetadata> keys;
            try
            {
                keys = await _iam.ListAllAccessKeysAsync(user, cancellationToken).ConfigureAwait(false);
            }
            catch (NoSuchEntityException ex)
            {
                throw new BackupIamException("IamUserNotFound", FailureKind.NotFound,
                    $"IAM user '{user}' does not exist, so it has no key to rotate. Create it first, for example: New-BackupUser -UserName {user}.", ex) { Target = user };
            }

            HashSet<string> held = store != null ? CredentialFileStore.HeldKeyIds(store) : new HashSet<string>(StringComparer.Ordinal);
            PendingKeyCreation? pending = _keyJournal?.Read(user);
            // A key that an interrupted create made and never delivered is not a key of the rotation: the create step deletes it.
            var live = keys.Where(k => !(pending != null && pending.Made(k) && !held.Contains(k.AccessKeyId))).ToList();
            DateTime now = UtcNow();
            KeyRotationRecord? record = _rotations.Read(user);
            AccessKeyMetadata? retiring = record == null ? null : live.FirstOrDefault(k => k.AccessKeyId == record.RetiringAccessKeyId);

            if (record != null && retiring == null)
            {
                // The retired key is gone: the rotation is complete.
                plan.Phase = "Done";
                plan.Notes.Add($"The rotation of IAM user '{user}' is complete: the retired key {record.RetiringAccessKeyId} no longer exists.");
                plan.Add("local", "ForgetRotation", "user " + user, $"Forget the finished rotation of IAM user '{user}' (a file in BackupIam's state folder)", ct =>
                {
                    _rotations.Clear(user);
                    return Task.FromResult(false);
                });
                return plan;
            }

            if (retiring != null)
            {
                plan.RetiringKey = retiring;
                var others = live.Where(k => k.AccessKeyId != retiring.AccessKeyId).ToList();
                if (others.Count == 0)
                {
                    // The new key was never made (or was taken back): make it now.
                    plan.Phase = "Complete";
                    PlanCreateVerifyDeactivate(plan, request, retiring, record!, cancellationToken);
                    return plan;
                }

                AccessKeyMetadata fresh = others[0];
                if (store != null && !held.Contains(fresh.AccessKeyId))
                {
                    throw new BackupIamException("KeyRotationStateUnclear", FailureKind.InvalidData,
                        $"IAM user '{user}' is being rotated away from key {retiring.AccessKeyId}, and has another key {fresh.AccessKeyId} that profile '{store.ProfileName}' in " +
                        $"{CredentialFileStore.ResolvePath(store.ProfileLocation)} does not hold. If nobody holds its secret, delete it " +
                        $"(aws iam delete-access-key --user-name {user} --access-key-id {fresh.AccessKeyId}) and run this command again; it then makes and stores a new key.")
                    { Target = user };
                }

                plan.NewAccessKeyId = fresh.AccessKeyId;
                if (store != null)
                {
                    plan.StoredAs = store.ProfileName;
                    plan.StoredIn = CredentialFileStore.ResolvePath(store.ProfileLocation);
                }

                if (retiring.Status == StatusType.Active)
                {
                    plan.Phase = "Complete";
                    PlanVerify(plan, request, fresh.AccessKeyId, null);
                    PlanDeactivate(plan, retiring);
                    if (request.DeleteRetiredKey)
                    {
                        PlanDelete(plan, retiring, "asked for with -DeleteRetiredKey");
                    }

                    return plan;
                }

                plan.RetiringKeyStatus = retiring.Status;
                DateTime since = record!.DeactivatedUtc ?? (fresh.CreateDate.Kind == DateTimeKind.Local ? fresh.CreateDate.ToUniversalTime() : fresh.CreateDate);
                DateTime? due = request.RetiredKeyGracePeriod.HasValue ? since + request.RetiredKeyGracePeriod.Value : (DateTime?)null;
                if (request.DeleteRetiredKey || (due.HasValue && now >= due.Value))
                {
                    plan.Phase = "DeleteRetired";
                    PlanDelete(plan, retiring, request.DeleteRetiredKey ? "asked for with -DeleteRetiredKey" : $"its grace period ended on {due!.Value:u}");
                    return plan;
                }

                plan.Phase = "Wait";
                plan.RetiredKeyDeleteAfter = due;
                plan.Notes.Add(due.HasValue
                    ? $"Access key {retiring.AccessKeyId} of IAM user '{user}' was deactivated on {since:u}; it is deleted by a run on or after {due.Value:u} (-RetiredKeyGraceDays)."
                    : $"Access key {retiring.AccessKeyId} of IAM user '{user}' is deactivated; give -DeleteRetiredKey, or -RetiredKeyGraceDays, to delete it.");
                return plan;
            }

            // A new rotation.
            if (live.Count == 0)
            {
                throw new BackupIamException("AccessKeyNotFound", FailureKind.NotFound,
                    $"IAM user '{user}' has no access key to rotate. Create its first key with New-BackupAccessKey -UserName {user}.") { Target = user };
            }

            AccessKeyMetadata old;
            if (live.Count >= 2)
            {
                if (request.RetireAccessKeyId == null)
                {
                    throw new BackupIamException("AccessKeyLimitReached", FailureKind.LimitExceeded,
                        $"IAM user '{user}' already has 2 access keys ({Describe(live, now)}); IAM allows two, so a new one cannot be made before one goes. " +
                        $"Say which one to delete first with -RetireAccessKeyId (for example -RetireAccessKeyId {live.OrderBy(k => k.CreateDate).First().AccessKeyId}); the other is then the one replaced.")
                    { Target = user };
                }

                AccessKeyMetadata? removeFirst = live.FirstOrDefault(k => k.AccessKeyId == request.RetireAccessKeyId);
                if (removeFirst == null)
                {
                    throw new InputValidationException("RetireAccessKeyIdInvalid", "RetireAccessKeyId",
                        $"-RetireAccessKeyId '{request.RetireAccessKeyId}' is not an access key of IAM user '{user}'; its keys are {Describe(live, now)}.");
                }

                old = live.First(k => k.AccessKeyId != removeFirst.AccessKeyId);
                plan.RemovedFirst = removeFirst.AccessKeyId;
                PlanDelete(plan, removeFirst, "-RetireAccessKeyId: IAM allows two keys, so it goes before the new one is made", retiringKey: false);
            }
            else
            {
                old = live[0];
                if (request.RetireAccessKeyId != null && request.RetireAccessKeyId != old.AccessKeyId)
                {
                    throw new InputValidationException("RetireAccessKeyIdInvalid", "RetireAccessKeyId",
                        $"-RetireAccessKeyId '{request.RetireAccessKeyId}' is not an access key of IAM user '{user}'; its key is {Describe(live, now)}.");
                }
            }

            if (store != null)
            {
                bool exists = CredentialFileStore.TryReadProfile(store, out string? storedKey);
                if (exists && !store.Overwrite && !(storedKey != null && live.Any(k => k.AccessKeyId == storedKey)))
                {
                    string holds = storedKey != null ? $"access key {storedKey}, which is not a key of IAM user '{user}'" : "credentials that are not an access key of this user";
                    throw new InputValidationException("CredentialProfileExists", "StoreAs",
                        $"Profile '{store.ProfileName}' in {CredentialFileStore.ResolvePath(store.ProfileLocation)} already holds {holds}. Choose another -StoreAs name, or give -Force to replace that profile.");
                }
            }

            DateTime oldCreated = old.CreateDate.Kind == DateTimeKind.Local ? old.CreateDate.ToUniversalTime() : old.CreateDate;
            if (plan.RemovedFirst == null && request.MinimumKeyAge.HasValue && now - oldCreated < request.MinimumKeyAge.Value)
            {
                plan.Phase = "NotDue";
                plan.RetiringKey = old;
                plan.RetiringKeyStatus = old.Status;
                plan.Notes.Add($"Access key {old.AccessKeyId} of IAM user '{user}' is {(now - oldCreated).TotalDays:0} days old; it is rotated once it is {request.MinimumKeyAge.Value.TotalDays:0} days old (-MinimumKeyAgeDays).");
                return plan;
            }

            plan.Phase = "Rotate";
            plan.RetiringKey = old;
            PlanCreateVerifyDeactivate(plan, request, old, null, cancellationToken);
            return plan;
        }

        private void PlanCreateVerifyDeactivate(KeyRotationPlan plan, KeyRotationRequest request, AccessKeyMetadata old, KeyRotationRecord? record, CancellationToken planToken)
        {
            string user = plan.UserName;
            AccessKeyStoreRequest? store = request.Store;
            plan.Add("iam", "CreateAccessKey", "user " + user,
                $"Create a new access key for IAM user '{user}' to replace {old.AccessKeyId}" + (store == null ? " (its secret is returned as a SecureString)" : $" and store it as profile '{store.ProfileName}' in {CredentialFileStore.ResolvePath(store.ProfileLocation)}"),
                async ct =>
                {
                    // Before anything is made: which key this rotation retires, so that a re-run finishes it.
                    if (record == null)
                    {
                        _rotations.Begin(user, old.AccessKeyId);
                    }

                    AccessKeyPlan keyPlan = await _planner.PlanAccessKeyAsync(user, additional: true, store, parentsMayBePlanned: false, ct).ConfigureAwait(false);
                    foreach (PlannedChange step in keyPlan.Changes.Where(c => c.Operation == "DeleteAccessKey"))
                    {
                        plan.Steps.Add(step.Description);
                    }

                    await keyPlan.ApplyAsync(_ => true, ct).ConfigureAwait(false);
                    if (keyPlan.CreatedKey == null)
                    {
                        throw new BackupIamException("KeyRotationStateUnclear", FailureKind.InvalidData,
                            $"No new access key was made for IAM user '{user}': another run made one meanwhile. Run this command again to continue the rotation.") { Target = user };
                    }

                    plan.CreatedKey = keyPlan.CreatedKey;
                    plan.NewAccessKeyId = keyPlan.CreatedKey.AccessKeyId;
                    plan.StoredAs = keyPlan.StoredAs;
                    plan.StoredIn = keyPlan.StoredIn;
                    plan.Steps.Add($"Created access key {plan.NewAccessKeyId}" + (plan.StoredAs != null ? $" and stored it as profile '{plan.StoredAs}' in {plan.StoredIn}" : " (secret returned as a SecureString)"));
                    return true;
                });
            PlanVerify(plan, request, null, null);
            PlanDeactivate(plan, old);
            if (request.DeleteRetiredKey)
            {
                PlanDelete(plan, old, "asked for with -DeleteRetiredKey");
            }
        }

        private void PlanVerify(KeyRotationPlan plan, KeyRotationRequest request, string? keyId, SecureString? secret)
        {
            if (request.SkipVerification)
            {
                plan.Steps.Add("Not checked that the new key works (-SkipVerification)");
                return;
            }

            if (keyId != null && request.Store == null)
            {
                throw new BackupIamException("KeyRotationNotVerifiable", FailureKind.InvalidData,
                    $"The rotation of IAM user '{plan.UserName}' made key {keyId} in an earlier run and returned its secret then; this run cannot read it to check that the key works. " +
                    $"Check it (Test-BackupCredential), then run this command again with -SkipVerification to deactivate the old key {plan.RetiringKey?.AccessKeyId}.")
                { Target = plan.UserName };
            }

            plan.Add("s3", "VerifyNewKey", "user " + plan.UserName, $"Wait until the new access key of IAM user '{plan.UserName}' works (a read with the key; retried while it propagates)", async ct =>
            {
                string id = keyId ?? plan.NewAccessKeyId!;
                (bool accepted, TimeSpan waited, string detail) = await Verify(id, keyId == null ? plan.CreatedKey?.SecretAccessKey : secret, ct).ConfigureAwait(false);
                plan.Verified = accepted;
                plan.PropagationWait = waited;
                if (!accepted)
                {
                    throw new BackupIamException("KeyRotationNotVerified", FailureKind.OperationTimeout,
                        $"The new access key {id} of IAM user '{plan.UserName}' was not accepted by the store within {waited.TotalSeconds:0} s ({detail}), so the old key " +
                        $"{plan.RetiringKey?.AccessKeyId} stays active. Run this command again later: it checks the new key again and then deactivates the old one.")
                    { Target = plan.UserName };
                }

                plan.Steps.Add($"The new key {id} works (accepted after {waited.TotalSeconds:0.0} s: {detail})");
                return false;
            });
        }

        private void PlanDeactivate(KeyRotationPlan plan, AccessKeyMetadata old)
        {
            plan.Add("iam", "UpdateAccessKey", "user " + plan.UserName, $"Deactivate the old access key {old.AccessKeyId} of IAM user '{plan.UserName}'", async ct =>
            {
                await _iam.UpdateAccessKeyAsync(new UpdateAccessKeyRequest { UserName = plan.UserName, AccessKeyId = old.AccessKeyId, Status = StatusType.Inactive }, ct).ConfigureAwait(false);
                _rotations.MarkDeactivated(plan.UserName, old.AccessKeyId, UtcNow());
                plan.RetiringKeyStatus = StatusType.Inactive;
                plan.Steps.Add($"Deactivated the old key {old.AccessKeyId}");
                return true;
            });
        }

        private void PlanDelete(KeyRotationPlan plan, AccessKeyMetadata key, string why, bool retiringKey = true)
        {
            plan.Add("iam", "DeleteAccessKey", "user " + plan.UserName, $"Delete access key {key.AccessKeyId} of IAM user '{plan.UserName}' ({why})", async ct =>
            {
                bool deleted = true;
                try
                {
                    await _iam.DeleteAccessKeyAsync(new DeleteAccessKeyRequest { UserName = plan.UserName, AccessKeyId = key.AccessKeyId }, ct).ConfigureAwait(false);
                }
                catch (NoSuchEntityException)
                {
                    deleted = false;
                }

                if (retiringKey)
                {
                    _rotations.Clear(plan.UserName);
                    plan.RetiringKeyStatus = "Deleted";
                }

                plan.Steps.Add($"Deleted access key {key.AccessKeyId}" + (deleted ? string.Empty : " (it was already gone)"));
                return deleted;
            });
        }

        private static string Describe(IEnumerable<AccessKeyMetadata> keys, DateTime now) =>
            string.Join(", ", keys.Select(k => $"{k.AccessKeyId} {k.Status}, {(now - (k.CreateDate.Kind == DateTimeKind.Local ? k.CreateDate.ToUniversalTime() : k.CreateDate)).TotalDays:0} days old"));
    }

    /// <summary>A rotation in progress: the key it retires, and when that key was deactivated.</summary>
    public sealed class KeyRotationRecord
    {
        public KeyRotationRecord(string retiringAccessKeyId, DateTime startedUtc, DateTime? deactivatedUtc)
        {
            RetiringAccessKeyId = retiringAccessKeyId;
            StartedUtc = startedUtc;
            DeactivatedUtc = deactivatedUtc;
        }

        public string RetiringAccessKeyId { get; }

        public DateTime StartedUtc { get; }

        public DateTime? DeactivatedUtc { get; }
    }

    /// <summary>
    /// Rotations in progress, one small file per IAM endpoint and user in BackupIam's state folder (next to the access
    /// key journal): written before the new key is made, updated when the old key is deactivated, removed when it is
    /// deleted. No secret is ever written here.
    /// </summary>
    public sealed class KeyRotationJournal
    {
        private readonly string _scope;

        public KeyRotationJournal(string directory, string scope)
        {
            Directory = directory ?? throw new ArgumentNullException(nameof(directory));
            _scope = scope ?? "";
        }

        public string Directory { get; }

        public static KeyRotationJournal ForEndpoint(Uri iamEndpoint) => new KeyRotationJournal(AccessKeyJournal.DefaultDirectory(), iamEndpoint.GetLeftPart(UriPartial.Authority));

        public string EntryPath(string userName) => Path.Combine(Directory, "rotations", StateFiles.Stem(_scope, userName) + ".rotation");

        public KeyRotationRecord? Read(string userName)
        {
            string path = EntryPath(userName);
            if (!File.Exists(path))
            {
                return null;
            }

            string? user = null;
            string? key = null;
            DateTime started = default;
            DateTime? deactivated = null;
            foreach (KeyValuePair<string, string> field in StateFiles.Fields(File.ReadAllLines(path)))
            {
                if (field.Key == "user")
                {
                    user = field.Value;
                }
                else if (field.Key == "retiring")
                {
                    key = field.Value;
                }
                else if (field.Key == "started")
                {
                    StateFiles.TryParseUtc(field.Value, out started);
                }
                else if (field.Key == "deactivated" && StateFiles.TryParseUtc(field.Value, out DateTime d))
                {
                    deactivated = d;
                }
            }

            return user == userName && !string.IsNullOrEmpty(key) ? new KeyRotationRecord(key!, started, deactivated) : null;
        }

        public void Begin(string userName, string retiringAccessKeyId) => Write(userName, new KeyRotationRecord(retiringAccessKeyId, DateTime.UtcNow, null));

        public void MarkDeactivated(string userName, string retiringAccessKeyId, DateTime whenUtc)
        {
            KeyRotationRecord? current = Read(userName);
            Write(userName, new KeyRotationRecord(retiringAccessKeyId, current?.StartedUtc ?? whenUtc, whenUtc));
        }

        public void Clear(string userName)
        {
            // Left behind it only says "rotation done" on the next run, once the retired key is gone.
            StateFiles.TryDelete(EntryPath(userName));
        }

        private void Write(string userName, KeyRotationRecord record)
        {
            string path = EntryPath(userName);
            var text = new StringBuilder()
                .Append("user=").Append(userName).Append('\n')
                .Append("scope=").Append(_scope).Append('\n')
                .Append("retiring=").Append(record.RetiringAccessKeyId).Append('\n')
                .Append("started=").Append(StateFiles.FormatUtc(record.StartedUtc)).Append('\n');
            if (record.DeactivatedUtc.HasValue)
            {
                text.Append("deactivated=").Append(StateFiles.FormatUtc(record.DeactivatedUtc.Value)).Append('\n');
            }

            try
            {
                StateFiles.Replace(path, text.ToString());
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new BackupIamException("StateFolderNotWritable", FailureKind.PermissionDenied,
                    $"BackupIam's state folder '{Directory}' cannot be written ({ex.Message}); it records a rotation in progress so that an interrupted one is finished by the next run. " +
                    $"Make the folder writable, or set {AccessKeyJournal.DirectoryVariable} to a writable folder.", ex);
            }
        }
    }
}

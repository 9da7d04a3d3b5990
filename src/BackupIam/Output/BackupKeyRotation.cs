using System;
using System.Security;

namespace BackupIam
{
    /// <summary>
    /// What a key rotation did. NewSecretAccessKey is a SecureString, set only when this run made the new key and it
    /// was not stored in a profile. Phase: Rotate (a new rotation), Complete (an interrupted one finished), Wait (the
    /// old key is kept, deactivated, until its grace period ends), DeleteRetired, NotDue, Done.
    /// </summary>
    public sealed class BackupKeyRotation : BackupResourceResult
    {
        public string UserName { get; set; } = "";
        public string Phase { get; set; } = "";
        public string? NewAccessKeyId { get; set; }
        public SecureString? NewSecretAccessKey { get; set; }
        public string? StoredAs { get; set; }
        public string? ProfileLocation { get; set; }

        /// <summary>Whether the store accepted the new key (null: not checked in this run).</summary>
        public bool? Verified { get; set; }
        public TimeSpan? PropagationWait { get; set; }
        public string? RetiredAccessKeyId { get; set; }

        /// <summary>Active, Inactive or Deleted.</summary>
        public string? RetiredKeyStatus { get; set; }

        /// <summary>When a later run deletes the deactivated key (-RetiredKeyGraceDays).</summary>
        public DateTime? RetiredKeyDeleteAfter { get; set; }

        /// <summary>The key deleted first to make room (-RetireAccessKeyId).</summary>
        public string? RemovedAccessKeyId { get; set; }

        /// <summary>What each step did, in order.</summary>
        public string[] Steps { get; set; } = new string[0];

        public override string ToString() => UserName + " " + Phase;
    }
}

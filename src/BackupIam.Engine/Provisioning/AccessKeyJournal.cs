using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using BackupIam.Engine.Aws.Iam;
using BackupIam.Engine.Errors;

namespace BackupIam.Engine.Provisioning
{
    /// <summary>A CreateAccessKey that was started and whose key was not (yet) known to be delivered or stored.</summary>
    public sealed class PendingKeyCreation
    {
        public PendingKeyCreation(string userName, DateTime startedUtc, IReadOnlyList<string> keysBefore)
        {
            UserName = userName;
            StartedUtc = startedUtc;
            KeysBefore = keysBefore;
        }

        public string UserName { get; }

        /// <summary>When the run sent (or was about to send) CreateAccessKey, UTC.</summary>
        public DateTime StartedUtc { get; }

        /// <summary>The user's key ids just before CreateAccessKey was sent: none of them was made by that request.</summary>
        public IReadOnlyList<string> KeysBefore { get; }

        /// <summary>
        /// Whether a key of the user was made by the pending request: it was not there just before the request, and
        /// IAM dated it no earlier than 2 minutes before the request (clock skew) and no later than 20 minutes after it
        /// (AWS refuses a SigV4 request more than 15 minutes old, so the request cannot take effect later).
        /// </summary>
        public bool Made(AccessKeyMetadata key)
        {
            if (KeysBefore.Contains(key.AccessKeyId, StringComparer.Ordinal))
            {
                return false;
            }

            DateTime created = key.CreateDate.Kind == DateTimeKind.Local ? key.CreateDate.ToUniversalTime() : key.CreateDate;
            return created >= StartedUtc - TimeSpan.FromMinutes(2) && created <= StartedUtc + TimeSpan.FromMinutes(20);
        }
    }

    /// <summary>
    /// How the module recognises an access key it made but never delivered: before each CreateAccessKey it writes a
    /// journal entry (the user, the time, and the user's keys just before the request) in its state folder, and it
    /// removes the entry once the new key is delivered (stored in the profile, or returned). An entry that is still
    /// there on the next run means the run was interrupted (a lost or late answer, Ctrl+C, a failed store or delete):
    /// any key of the user that the entry says was made by that request, and that no profile holds, is one whose secret
    /// nobody has, and the next run deletes it before it makes a new key. The same state folder holds one lock file per
    /// user, so that two runs for the same user serialise. Entries are keyed by the IAM endpoint and the user name.
    /// </summary>
    public sealed class AccessKeyJournal
    {
        /// <summary>Environment variable that moves the state folder (tests, shared runners).</summary>
        public const string DirectoryVariable = "BACKUPIAM_STATE_DIR";

        private readonly string _scope;

        public AccessKeyJournal(string directory, string scope)
        {
            Directory = directory ?? throw new ArgumentNullException(nameof(directory));
            _scope = scope ?? "";
        }

        /// <summary>The state folder: $BACKUPIAM_STATE_DIR, else %LOCALAPPDATA%\BackupIam or $XDG_STATE_HOME/BackupIam (~/.local/state/BackupIam).</summary>
        public string Directory { get; }

        /// <summary>How long a run waits for another run's lock on the same user.</summary>
        public TimeSpan LockWait { get; set; } = TimeSpan.FromMinutes(5);

        public static string DefaultDirectory()
        {
            string? configured = Environment.GetEnvironmentVariable(DirectoryVariable);
            if (!string.IsNullOrEmpty(configured))
            {
                return Path.GetFullPath(configured!);
            }

            if (System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Windows))
            {
                return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "BackupIam");
            }

            string? xdg = Environment.GetEnvironmentVariable("XDG_STATE_HOME");
            string root = !string.IsNullOrEmpty(xdg) ? xdg! : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state");
            return Path.Combine(root, "BackupIam");
        }

        /// <summary>A journal in the default state folder for one IAM endpoint.</summary>
        public static AccessKeyJournal ForEndpoint(Uri iamEndpoint) => new AccessKeyJournal(DefaultDirectory(), iamEndpoint.GetLeftPart(UriPartial.Authority));

        /// <summary>The journal file of one user (shown in messages).</summary>
        public string EntryPath(string userName) => Path.Combine(Directory, "pending-keys", FileStem(userName) + ".pending");

        /// <summary>Takes the user's lock (waits for another run that holds it).</summary>
        public async Task<FileLock> LockUserAsync(string userName, CancellationToken cancellationToken)
        {
            try
            {
                return await FileLock.AcquireAsync(Path.Combine(Directory, "pending-keys", FileStem(userName) + ".lock"), LockWait, $"IAM user '{userName}'", cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is UnauthorizedAccessException || (ex is IOException && !(ex is FileNotFoundException)))
            {
                throw NotWritable(ex);
            }
        }

        private BackupIamException NotWritable(Exception ex) => new BackupIamException("StateFolderNotWritable", FailureKind.PermissionDenied,
            $"BackupIam's state folder '{Directory}' cannot be written ({ex.Message}); it journals access keys being created so that an interrupted run " +
            $"is completed by the next one. Make the folder writable, or set {DirectoryVariable} to a writable folder.", ex);

        public PendingKeyCreation? Read(string userName)
        {
            string path = EntryPath(userName);
            string[] lines;
            try
            {
                if (!File.Exists(path))
                {
                    return null;
                }

                lines = File.ReadAllLines(path);
            }
            catch (IOException)
            {
                return null;
            }

            DateTime started = default;
            var before = new List<string>();
            string? user = null;
            foreach (KeyValuePair<string, string> field in StateFiles.Fields(lines))
            {
                if (field.Key == "user")
                {
                    user = field.Value;
                }
                else if (field.Key == "started")
                {
                    StateFiles.TryParseUtc(field.Value, out started);
                }
                else if (field.Key == "before" && field.Value.Length > 0)
                {
                    before.AddRange(field.Value.Split(','));
                }
            }

            return user == userName && started != default ? new PendingKeyCreation(userName, started, before) : null;
        }

        /// <summary>Records a CreateAccessKey about to be sent. Written to a temporary file and moved into place.</summary>
        public PendingKeyCreation Begin(string userName, IEnumerable<string> keysBefore, string? storedAs, string? storedIn)
        {
            var entry = new PendingKeyCreation(userName, DateTime.UtcNow, keysBefore.ToList());
            string path = EntryPath(userName);
            var text = new StringBuilder()
                .Append("user=").Append(userName).Append('\n')
                .Append("scope=").Append(_scope).Append('\n')
                .Append("started=").Append(StateFiles.FormatUtc(entry.StartedUtc)).Append('\n')
                .Append("before=").Append(string.Join(",", entry.KeysBefore)).Append('\n');
            if (storedAs != null)
            {
                text.Append("profile=").Append(storedAs).Append('\n').Append("file=").Append(storedIn).Append('\n');
            }

            try
            {
                StateFiles.Replace(path, text.ToString());
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw NotWritable(ex);
            }

            return entry;
        }

        /// <summary>The key was delivered (or certainly never made): forget the entry.</summary>
        public void Clear(string userName)
        {
            // Left behind, an entry only makes the next run look again; it never deletes a key that was delivered.
            StateFiles.TryDelete(EntryPath(userName));
        }

        private string FileStem(string userName) => StateFiles.Stem(_scope, userName);
    }
}

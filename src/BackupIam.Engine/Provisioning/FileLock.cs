using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using BackupIam.Engine.Errors;

namespace BackupIam.Engine.Provisioning
{
    /// <summary>
    /// An exclusive lock between processes: a lock file opened with no sharing (on Linux and macOS .NET takes an
    /// advisory flock on it, on Windows a sharing lock). The operating system releases it when the process dies, so a
    /// killed run never leaves it held. The lock file itself stays (deleting it would race with a waiter).
    /// </summary>
    public sealed class FileLock : IDisposable
    {
        private readonly FileStream _stream;

        private FileLock(FileStream stream, string path)
        {
            _stream = stream;
            Path = path;
        }

        /// <summary>The lock file.</summary>
        public string Path { get; }

        /// <summary>Waits (polling, bounded by <paramref name="wait"/>, cancellable) until the lock is ours.</summary>
        public static async Task<FileLock> AcquireAsync(string lockPath, TimeSpan wait, string what, CancellationToken cancellationToken)
        {
            string? folder = System.IO.Path.GetDirectoryName(lockPath);
            if (!string.IsNullOrEmpty(folder))
            {
                Directory.CreateDirectory(folder);
            }

            DateTime deadline = DateTime.UtcNow + wait;
            int delayMs = 20;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    var stream = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                    return new FileLock(stream, lockPath);
                }
                catch (IOException) when (DateTime.UtcNow < deadline)
                {
                    // Held by another run: wait for it.
                }
                catch (IOException ex)
                {
                    throw new BackupIamException("FileLockTimeout", FailureKind.ResourceBusy,
                        $"Another run has held the lock on {what} ({lockPath}) for more than {wait.TotalSeconds:0} s. " +
                        "Wait for it to finish and run the command again.", ex);
                }

                await Task.Delay(delayMs, cancellationToken).ConfigureAwait(false);
                delayMs = Math.Min(200, delayMs * 2);
            }
        }

        /// <summary>The same, blocking (for short reads under the lock).</summary>
        public static FileLock Acquire(string lockPath, TimeSpan wait, string what)
        {
            return AcquireAsync(lockPath, wait, what, CancellationToken.None).ConfigureAwait(false).GetAwaiter().GetResult();
        }

        public void Dispose() => _stream.Dispose();
    }
}

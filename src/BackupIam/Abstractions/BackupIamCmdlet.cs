using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using BackupIam.Errors;

namespace BackupIam.Abstractions
{
    /// <summary>
    /// Base of every BackupIam cmdlet. Owns a CancellationTokenSource that Ctrl+C (StopProcessing) cancels,
    /// so a request in flight stops, and runs engine calls with that token.
    /// </summary>
    public abstract class BackupIamCmdlet : PSCmdlet, IDisposable
    {
        private readonly CancellationTokenSource _cancellation = new CancellationTokenSource();
        private bool _disposed;

        /// <summary>Cancelled when the user presses Ctrl+C or the pipeline stops.</summary>
        protected CancellationToken CancellationToken => _cancellation.Token;

        protected override void BeginProcessing()
        {
            FormatLoader.EnsureLoaded(this);
        }

        protected override void StopProcessing()
        {
            _cancellation.Cancel();
        }

        /// <summary>
        /// Runs an engine task to completion on this (the pipeline) thread, honouring Ctrl+C.
        /// Output is written only from the pipeline thread.
        /// </summary>
        protected T Run<T>(Func<CancellationToken, Task<T>> work)
        {
            try
            {
                return Task.Run(() => work(CancellationToken), CancellationToken).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (CancellationToken.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
        }

        /// <summary>Writes a non-terminating error for one failed item, built by the one error helper.</summary>
        protected void WriteFailure(Exception exception, object? target)
        {
            WriteError(ErrorHelper.FromException(exception, target));
        }

        /// <summary>
        /// Warns when a -Prefix was normalized beyond its trailing '/' (a leading '/' removed), showing both forms, so a
        /// prefix never changes silently. Call it after the prefix has been validated.
        /// </summary>
        private protected void WarnIfNormalized(string? prefix, string parameterName)
        {
            if (!string.IsNullOrEmpty(prefix) && prefix![0] == '/')
            {
                string? warning = Engine.Naming.S3Names.DescribeNormalization(prefix, Engine.Naming.S3Names.NormalizePrefix(prefix, parameterName), parameterName);
                if (warning != null)
                {
                    WriteWarning(warning);
                }
            }
        }

        /// <summary>Stops the cmdlet when nothing can continue.</summary>
        protected void ThrowFailure(Exception exception, object? target)
        {
            ThrowTerminatingError(ErrorHelper.FromException(exception, target));
        }

        /// <summary>PowerShell disposes the cmdlet when the pipeline ends, however it ends (Ctrl+C included).</summary>
        public void Dispose()
        {
            Dispose(true);
            GC.SuppressFinalize(this);
        }

        /// <summary>Releases what the cmdlet holds; derived cmdlets dispose their clients here and call the base.</summary>
        protected virtual void Dispose(bool disposing)
        {
            if (!_disposed && disposing)
            {
                _cancellation.Dispose();
            }

            _disposed = true;
        }
    }
}

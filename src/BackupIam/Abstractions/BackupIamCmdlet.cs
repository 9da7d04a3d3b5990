using System;
using System.Management.Automation;
using System.Runtime.ExceptionServices;
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

        /// <summary>
        /// The module's views (BackupIam.Format.ps1xml) are loaded into the runspace the first time they can be needed: at
        /// the latest before the first object is written (<see cref="WriteObject(object)"/>), and in a cmdlet that calls
        /// AWS, while its first engine task is on its way (<see cref="Run{T}"/>), so that the ~100 ms of a cold
        /// Update-FormatData overlap the network instead of coming before it (issue 16). Writes an object to the pipeline,
        /// the views loaded first (so that Out-Default finds them).
        /// </summary>
        protected new void WriteObject(object sendToPipeline)
        {
            FormatLoader.EnsureLoaded(this);
            base.WriteObject(sendToPipeline);
        }

        /// <summary>Writes an object (or its elements) to the pipeline, the module's views loaded first.</summary>
        protected new void WriteObject(object sendToPipeline, bool enumerateCollection)
        {
            FormatLoader.EnsureLoaded(this);
            base.WriteObject(sendToPipeline, enumerateCollection);
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
                Task<T> task = Task.Run(() => work(CancellationToken), CancellationToken);
                // This thread would only wait: it loads the views meanwhile (a no-op after the first time). A failure to
                // load them is reported after the engine task has ended, never leaving that task unobserved.
                ExceptionDispatchInfo? formatFailure = null;
                try
                {
                    FormatLoader.EnsureLoaded(this);
                }
                catch (Exception ex) when (!(ex is PipelineStoppedException))
                {
                    formatFailure = ExceptionDispatchInfo.Capture(ex);
                }

                T result = task.GetAwaiter().GetResult();
                formatFailure?.Throw();
                return result;
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

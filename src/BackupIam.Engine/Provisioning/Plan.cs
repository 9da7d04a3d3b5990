using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace BackupIam.Engine.Provisioning
{
    /// <summary>What applying a plan did (or would do) to one resource.</summary>
    public enum ResourceStatus
    {
        /// <summary>The resource already matched: nothing was written.</summary>
        Unchanged,

        /// <summary>The resource did not exist and was created.</summary>
        Created,

        /// <summary>The resource existed and was changed to match.</summary>
        Updated,

        /// <summary>Nothing was applied (-WhatIf, or a change was declined at -Confirm).</summary>
        Planned,
    }

    /// <summary>
    /// One write call a plan would make. <see cref="ApplyAsync"/> performs it and reports whether a write was
    /// actually sent (a change may find, at apply time, that a just-created resource already has the wanted setting).
    /// </summary>
    public sealed class PlannedChange
    {
        private readonly Func<CancellationToken, Task<bool>> _apply;

        /// <summary>Set when a batch sends this change together with others, completed when it has ended; see <see cref="WhenEndedAsync"/>.</summary>
        private TaskCompletionSource<bool>? _sentInBatch;

        public PlannedChange(string service, string operation, string target, string description, Func<CancellationToken, Task<bool>> apply)
        {
            Service = service;
            Operation = operation;
            Target = target;
            Description = description;
            _apply = apply;
        }

        /// <summary>iam or s3.</summary>
        public string Service { get; }

        /// <summary>The API operation, e.g. CreateUser or PutBucketPolicy.</summary>
        public string Operation { get; }

        /// <summary>The resource written, e.g. "user MySiteBackupUser" or "bucket your-bucket-name".</summary>
        public string Target { get; }

        /// <summary>What the change does, in a sentence fragment suitable for -WhatIf.</summary>
        public string Description { get; }

        /// <summary>"service:Operation".</summary>
        public string Action => Service + ":" + Operation;

        /// <summary>
        /// Changes next to each other with the same batch name do not depend on each other (issue 16: e.g. a new bucket's
        /// three protections, or its folder placeholders): they are approved one by one in plan order, then sent
        /// concurrently. Null (the default): the change runs alone, after everything before it.
        /// </summary>
        public string? Batch { get; internal set; }

        /// <summary>
        /// True for a write that only adds a record and removes or replaces nothing of anyone's (issue 15: the module's
        /// own bucket tags, merged with the others): a High-impact plan does not ask the extra question for it.
        /// </summary>
        public bool AddsRecordOnly { get; internal set; }

        /// <summary>Applies the change; true when a write call was sent.</summary>
        public async Task<bool> ApplyAsync(CancellationToken cancellationToken)
        {
            try
            {
                return await _apply(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                Volatile.Read(ref _sentInBatch)?.TrySetResult(true);
            }
        }

        /// <summary>Called by the plan for a declined change: nobody waits for it.</summary>
        internal void NotSent() => Volatile.Write(ref _sentInBatch, null);

        /// <summary>Called by the plan for each approved change of a batch, before any of them is sent.</summary>
        internal void SendingInBatch() =>
            Volatile.Write(ref _sentInBatch, new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously));

        /// <summary>
        /// Waits, inside another change of the same <see cref="Batch"/>, until <paramref name="other"/> has ended (written,
        /// failed or found nothing to write): an order between two writes of a batch whose other requests still travel
        /// together (issue 16: a new bucket's managed tag goes out with its protections' reads, and the protections'
        /// writes wait for it, because Ceph RGW lost a tag written concurrently with Block Public Access). Returns at once
        /// when <paramref name="other"/> is not being sent in the same batch run: declined, or the changes are applied one
        /// by one (then nothing runs concurrently, and waiting for a later change would never end).
        /// </summary>
        internal static async Task WhenEndedAsync(PlannedChange other, CancellationToken cancellationToken)
        {
            TaskCompletionSource<bool>? sent = Volatile.Read(ref other._sentInBatch);
            if (sent == null)
            {
                return;
            }

            Task ended = sent.Task;
            if (!ended.IsCompleted)
            {
                var cancelled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                using (cancellationToken.Register(() => cancelled.TrySetResult(true)))
                {
                    await Task.WhenAny(ended, cancelled.Task).ConfigureAwait(false);
                }
            }

            cancellationToken.ThrowIfCancellationRequested();
        }

        public override string ToString() => Action + " " + Target + ": " + Description;
    }

    /// <summary>The difference between the desired state of one resource and what AWS reports: the writes that close it.</summary>
    public class ResourcePlan
    {
        public ResourcePlan(string resourceType, string name)
        {
            ResourceType = resourceType;
            Name = name;
        }

        public string ResourceType { get; }

        public string Name { get; }

        /// <summary>True when the resource existed before the plan was made.</summary>
        public bool Exists { get; internal set; }

        /// <summary>The writes, in order. Empty when the resource already matches (a re-run makes zero writes).</summary>
        public List<PlannedChange> Changes { get; } = new List<PlannedChange>();

        /// <summary>Things the caller should know that the plan does not change (e.g. an existing console password).</summary>
        public List<string> Warnings { get; } = new List<string>();

        /// <summary>Informational notes (e.g. "the existing key's secret cannot be shown again").</summary>
        public List<string> Notes { get; } = new List<string>();

        public bool IsUpToDate => Changes.Count == 0;

        /// <summary>The status after every change has been applied.</summary>
        public ResourceStatus StatusWhenApplied => Changes.Count == 0 ? ResourceStatus.Unchanged : Exists ? ResourceStatus.Updated : ResourceStatus.Created;

        /// <summary>
        /// Applies the plan: each change in order, after <paramref name="approve"/> agrees (a cmdlet passes its
        /// ShouldProcess, which also makes -WhatIf and -Confirm work). It is called on the caller's thread, and so is
        /// <paramref name="applying"/> (for a progress or verbose line); the write itself runs on the thread pool while
        /// the caller's thread waits. The first failure stops the loop and is thrown: the changes before it are made,
        /// and a re-run plans only what is left. Changes of one <see cref="PlannedChange.Batch"/> are approved in plan
        /// order and then sent concurrently; a failure among them is thrown after all of them have ended. A change of a
        /// batch may wait for another one of the same batch before its own write (<see cref="PlannedChange.WhenEndedAsync"/>).
        /// </summary>
        public PlanApplyResult Apply(Func<PlannedChange, bool> approve, CancellationToken cancellationToken, Action<PlannedChange>? applying = null)
        {
            if (approve == null)
            {
                throw new ArgumentNullException(nameof(approve));
            }

            var written = new List<string>();
            var declined = new List<string>();
            for (int i = 0; i < Changes.Count;)
            {
                List<PlannedChange> batch = NextBatch(ref i);
                var approved = new List<PlannedChange>();
                foreach (PlannedChange change in batch)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (!approve(change))
                    {
                        declined.Add(change.Action);
                        change.NotSent();
                        continue;
                    }

                    applying?.Invoke(change);
                    approved.Add(change);
                }

                written.AddRange(Task.Run(() => RunBatchAsync(approved, cancellationToken), cancellationToken).ConfigureAwait(false).GetAwaiter().GetResult());
            }

            return new PlanApplyResult(this, written, declined);
        }

        /// <summary>The changes from <paramref name="index"/> on that share its batch (or that one change alone).</summary>
        private List<PlannedChange> NextBatch(ref int index)
        {
            var batch = new List<PlannedChange> { Changes[index] };
            string? name = Changes[index].Batch;
            index++;
            while (name != null && index < Changes.Count && Changes[index].Batch == name)
            {
                batch.Add(Changes[index]);
                index++;
            }

            return batch;
        }

        /// <summary>
        /// Sends approved changes concurrently and waits for all of them (so that no write is still in flight when the
        /// caller reports); returns the actions written, in plan order, or throws the first failure in plan order.
        /// </summary>
        private static async Task<List<string>> RunBatchAsync(List<PlannedChange> approved, CancellationToken cancellationToken)
        {
            var written = new List<string>();
            if (approved.Count == 1)
            {
                if (await approved[0].ApplyAsync(cancellationToken).ConfigureAwait(false))
                {
                    written.Add(approved[0].Action);
                }

                return written;
            }

            foreach (PlannedChange change in approved)
            {
                // All of them before the first is sent: one may wait for another (PlannedChange.WhenEndedAsync).
                change.SendingInBatch();
            }

            var tasks = new List<Task<bool>>();
            foreach (PlannedChange change in approved)
            {
                PlannedChange current = change;
                tasks.Add(Task.Run(() => current.ApplyAsync(cancellationToken), cancellationToken));
            }

            try
            {
                await Task.WhenAll(tasks).ConfigureAwait(false);
            }
            catch
            {
                // Rethrown below: the first failure in plan order, after every request of the batch has ended.
            }

            for (int i = 0; i < tasks.Count; i++)
            {
                if (tasks[i].IsFaulted || tasks[i].IsCanceled)
                {
                    await tasks[i].ConfigureAwait(false);
                }

                if (tasks[i].Result)
                {
                    written.Add(approved[i].Action);
                }
            }

            return written;
        }

        /// <summary>The same, asynchronously, for callers with no thread affinity (the engine's tests, other hosts).</summary>
        public async Task<PlanApplyResult> ApplyAsync(Func<PlannedChange, bool> approve, CancellationToken cancellationToken)
        {
            var written = new List<string>();
            var declined = new List<string>();
            for (int i = 0; i < Changes.Count;)
            {
                List<PlannedChange> batch = NextBatch(ref i);
                var approved = new List<PlannedChange>();
                foreach (PlannedChange change in batch)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (!approve(change))
                    {
                        declined.Add(change.Action);
                        change.NotSent();
                        continue;
                    }

                    approved.Add(change);
                }

                written.AddRange(await RunBatchAsync(approved, cancellationToken).ConfigureAwait(false));
            }

            return new PlanApplyResult(this, written, declined);
        }

        internal PlannedChange Add(string service, string operation, string target, string description, Func<CancellationToken, Task<bool>> apply)
        {
            var change = new PlannedChange(service, operation, target, description, apply);
            Changes.Add(change);
            return change;
        }

        internal PlannedChange Add(string service, string operation, string target, string description, Func<CancellationToken, Task> apply)
        {
            return Add(service, operation, target, description, async ct =>
            {
                await apply(ct).ConfigureAwait(false);
                return true;
            });
        }
    }

    /// <summary>What applying a plan did: the writes sent, the ones declined, and the resource's status.</summary>
    public sealed class PlanApplyResult
    {
        internal PlanApplyResult(ResourcePlan plan, IReadOnlyList<string> written, IReadOnlyList<string> declined)
        {
            Written = written;
            Declined = declined;
            if (declined.Count > 0 && written.Count == 0)
            {
                Status = ResourceStatus.Planned;
            }
            else
            {
                Status = written.Count == 0 && plan.Exists ? ResourceStatus.Unchanged : plan.StatusWhenApplied;
            }
        }

        /// <summary>The write calls sent ("service:Operation").</summary>
        public IReadOnlyList<string> Written { get; }

        /// <summary>The changes that the approval callback declined (-WhatIf, or No at -Confirm).</summary>
        public IReadOnlyList<string> Declined { get; }

        /// <summary>Some changes were declined and others made: a re-run completes the resource.</summary>
        public bool PartlyApplied => Declined.Count > 0 && Written.Count > 0;

        public ResourceStatus Status { get; }

        /// <summary>The writes made, or when nothing was written because all were declined, the ones planned.</summary>
        public IReadOnlyList<string> Actions => Status == ResourceStatus.Planned ? Declined : Written;
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using BackupIam.Engine.Aws;
using BackupIam.Engine.Errors;

namespace BackupIam.Engine.Provisioning
{
    /// <summary>
    /// Finds the buckets the module manages: ListBuckets, then GetBucketTagging for each bucket (at most
    /// <see cref="DefaultConcurrency"/> at a time), keeping those tagged <c>backupiam:managed=true</c>.
    /// </summary>
    public static class ManagedBuckets
    {
        /// <summary>How many GetBucketTagging requests are in flight at once by default.</summary>
        public const int DefaultConcurrency = 8;

        /// <summary>Lists the managed buckets, ordered by name.</summary>
        /// <param name="s3">The gateway (the caller's credentials).</param>
        /// <param name="maxConcurrency">Requests in flight at once, 1 to 64.</param>
        /// <param name="cancellationToken">Cancels the listing.</param>
        /// <returns>
        /// The managed buckets with their tags, and the buckets whose tags could not be read (access denied, another
        /// region): these are reported, not guessed. A bucket deleted between the two calls is left out.
        /// </returns>
        public static async Task<ManagedBucketList> ListAsync(IS3Gateway s3, int maxConcurrency, CancellationToken cancellationToken)
        {
            if (s3 == null)
            {
                throw new ArgumentNullException(nameof(s3));
            }

            if (maxConcurrency < 1 || maxConcurrency > 64)
            {
                throw new ArgumentOutOfRangeException(nameof(maxConcurrency), maxConcurrency, "Between 1 and 64 requests at once.");
            }

            IReadOnlyList<S3BucketEntry> buckets = await s3.ListBucketsAsync(cancellationToken).ConfigureAwait(false);
            var results = new ManagedBucket?[buckets.Count];
            var unreadable = new BucketTagReadFailure?[buckets.Count];
            using (var gate = new SemaphoreSlim(maxConcurrency))
            {
                var tasks = new List<Task>(buckets.Count);
                for (int i = 0; i < buckets.Count; i++)
                {
                    int index = i;
                    tasks.Add(ReadOneAsync(index));
                }

                await Task.WhenAll(tasks).ConfigureAwait(false);

                async Task ReadOneAsync(int index)
                {
                    await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                    try
                    {
                        S3BucketEntry bucket = buckets[index];
                        try
                        {
                            IReadOnlyDictionary<string, string> tags = await s3.GetBucketTaggingAsync(bucket.BucketName, cancellationToken).ConfigureAwait(false);
                            if (BucketTags.IsManaged(tags))
                            {
                                results[index] = new ManagedBucket(bucket.BucketName, bucket.Region, bucket.CreationDate, tags);
                            }
                        }
                        catch (S3ServiceException ex) when (ex.AwsErrorCode == "NoSuchBucket")
                        {
                            // Deleted since ListBuckets answered.
                        }
                        catch (S3ServiceException ex)
                        {
                            unreadable[index] = new BucketTagReadFailure(bucket.BucketName, ex.ErrorId, ex.AwsErrorCode, ex.Message);
                        }
                    }
                    finally
                    {
                        gate.Release();
                    }
                }
            }

            return new ManagedBucketList(
                results.Where(r => r != null).Select(r => r!).OrderBy(r => r.BucketName, StringComparer.Ordinal).ToList(),
                unreadable.Where(r => r != null).Select(r => r!).OrderBy(r => r.BucketName, StringComparer.Ordinal).ToList());
        }

        /// <summary>As <see cref="ListAsync(IS3Gateway, int, CancellationToken)"/> with <see cref="DefaultConcurrency"/>.</summary>
        public static Task<ManagedBucketList> ListAsync(IS3Gateway s3, CancellationToken cancellationToken) =>
            ListAsync(s3, DefaultConcurrency, cancellationToken);
    }

    /// <summary>What <see cref="ManagedBuckets.ListAsync(IS3Gateway, int, CancellationToken)"/> found.</summary>
    public sealed class ManagedBucketList
    {
        internal ManagedBucketList(IReadOnlyList<ManagedBucket> buckets, IReadOnlyList<BucketTagReadFailure> unreadable)
        {
            Buckets = buckets;
            Unreadable = unreadable;
        }

        /// <summary>The buckets tagged <c>backupiam:managed=true</c>, by name.</summary>
        public IReadOnlyList<ManagedBucket> Buckets { get; }

        /// <summary>Their names, by name.</summary>
        public IReadOnlyList<string> BucketNames => Buckets.Select(b => b.BucketName).ToList();

        /// <summary>Buckets whose tags could not be read (they may or may not be managed).</summary>
        public IReadOnlyList<BucketTagReadFailure> Unreadable { get; }
    }

    /// <summary>A managed bucket and the tags read from it.</summary>
    public sealed class ManagedBucket
    {
        internal ManagedBucket(string bucketName, string? region, DateTime? creationDate, IReadOnlyDictionary<string, string> tags)
        {
            BucketName = bucketName;
            Region = region;
            CreationDate = creationDate;
            Tags = tags;
        }

        /// <summary>The bucket's name.</summary>
        public string BucketName { get; }

        /// <summary>The region ListBuckets reported, or null.</summary>
        public string? Region { get; }

        /// <summary>When the bucket was created, or null.</summary>
        public DateTime? CreationDate { get; }

        /// <summary>Every tag of the bucket, the module's and others'.</summary>
        public IReadOnlyDictionary<string, string> Tags { get; }
    }

    /// <summary>A bucket whose tags could not be read.</summary>
    public sealed class BucketTagReadFailure
    {
        internal BucketTagReadFailure(string bucketName, string errorId, string awsErrorCode, string message)
        {
            BucketName = bucketName;
            ErrorId = errorId;
            AwsErrorCode = awsErrorCode;
            Message = message;
        }

        /// <summary>The bucket's name.</summary>
        public string BucketName { get; }

        /// <summary>The module's error id (for example <c>S3AccessDenied</c>).</summary>
        public string ErrorId { get; }

        /// <summary>S3's error code (for example <c>AccessDenied</c>, <c>PermanentRedirect</c>).</summary>
        public string AwsErrorCode { get; }

        /// <summary>The error's message.</summary>
        public string Message { get; }
    }
}

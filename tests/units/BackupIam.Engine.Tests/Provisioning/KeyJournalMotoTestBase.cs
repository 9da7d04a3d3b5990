using BackupIam.Engine.Aws.Iam;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Provisioning;
using BackupIam.Engine.Tests.Aws;

namespace BackupIam.Engine.Tests.Provisioning;

/// <summary>
/// What the access-key journal tests against moto share: an IAM client on the moto fixture, a journal in a temporary
/// state folder (deleted afterwards), and new users with a recognisable name prefix.
/// </summary>
public abstract class KeyJournalMotoTestBase : IDisposable
{
    private protected readonly IamQueryClient _iam;
    private protected readonly string _dir;
    private protected readonly AccessKeyJournal _journal;
    private protected readonly CancellationToken _ct = CancellationToken.None;
    private readonly string _prefix;

    private protected KeyJournalMotoTestBase(MotoServerFixture moto, string prefix)
    {
        _prefix = prefix;
        _dir = Path.Combine(Path.GetTempPath(), "bi-" + prefix + "-" + Guid.NewGuid().ToString("N"));
        _iam = new IamQueryClient(moto.CreateSession());
        _journal = new AccessKeyJournal(Path.Combine(_dir, "state"), _iam.Endpoint.ToString());
    }

    public void Dispose()
    {
        _iam.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Whether another run could take the user's lock now (it waits 100 ms at most).</summary>
    private protected async Task<bool> LockIsFreeAsync(string user)
    {
        var other = new AccessKeyJournal(_journal.Directory, _iam.Endpoint.ToString()) { LockWait = TimeSpan.FromMilliseconds(100) };
        try
        {
            using FileLock taken = await other.LockUserAsync(user, _ct);
            return true;
        }
        catch (BackupIamException ex) when (ex.ErrorId == "FileLockTimeout")
        {
            return false;
        }
    }

    private protected async Task<string> NewUserAsync()
    {
        string name = _prefix + "-" + Guid.NewGuid().ToString("N").Substring(0, 10);
        await _iam.CreateUserAsync(new CreateUserRequest { UserName = name }, _ct);
        return name;
    }
}

using System.Collections.Concurrent;
using System.Reflection;
using BackupIam.Engine.Aws.Iam;

namespace BackupIam.Engine.Tests.Aws;

/// <summary>
/// An <see cref="IIamClient"/> in front of a real one (moto) that records the name of each IAM call made through it and
/// how many were in flight at most; with a hold, each call waits that long first, so that concurrent calls overlap.
/// </summary>
public class IamCallSpy : DispatchProxy
{
    private IIamClient _inner = null!;
    private TimeSpan _hold;
    private readonly ConcurrentQueue<string> _names = new();
    private int _inFlight;
    private int _max;

    /// <summary>The calls' method names, in the order they were made.</summary>
    public string[] Names => _names.ToArray();

    public int MaxInFlight => Volatile.Read(ref _max);

    public static IIamClient Wrap(IIamClient inner, out IamCallSpy spy, TimeSpan hold = default)
    {
        IIamClient proxy = Create<IIamClient, IamCallSpy>();
        spy = (IamCallSpy)(object)proxy;
        spy._inner = inner;
        spy._hold = hold;
        return proxy;
    }

    protected override object? Invoke(MethodInfo? method, object?[]? args)
    {
        if (!typeof(Task).IsAssignableFrom(method!.ReturnType))
        {
            return method.Invoke(_inner, args);
        }

        _names.Enqueue(method.Name);
        MethodInfo track = typeof(IamCallSpy).GetMethod(nameof(Track), BindingFlags.NonPublic | BindingFlags.Instance)!
            .MakeGenericMethod(method.ReturnType.GetGenericArguments()[0]);
        return track.Invoke(this, new object[] { method, args! });
    }

    private async Task<T> Track<T>(MethodInfo method, object?[] args)
    {
        int now = Interlocked.Increment(ref _inFlight);
        int seen;
        while (now > (seen = Volatile.Read(ref _max)) && Interlocked.CompareExchange(ref _max, now, seen) != seen)
        {
        }

        try
        {
            if (_hold > TimeSpan.Zero)
            {
                await Task.Delay(_hold);
            }

            return await (Task<T>)method.Invoke(_inner, args)!;
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }
}

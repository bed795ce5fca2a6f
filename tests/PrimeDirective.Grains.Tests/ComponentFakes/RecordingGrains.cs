using System.Collections.Concurrent;
using System.Reflection;

namespace PrimeDirective.Grains.Tests.ComponentFakes;

/// <summary>One call a component made to another grain.</summary>
public sealed record GrainCall(Type Interface, string Key, string Method, object?[] Arguments);

/// <summary>
/// A grain factory for components alone: every call to a grain is recorded; <see cref="Answer"/> gives results (a
/// <see cref="Exception"/> answered is thrown), otherwise a call completes with the default of its result.
/// </summary>
public sealed class RecordingGrains : IGrainFactory
{
    public ConcurrentQueue<GrainCall> Calls { get; } = new();

    /// <summary>Answers a call by method name; <c>null</c>: the default.</summary>
    public Func<GrainCall, object?> Answer { get; set; } = _ => null;

    public IEnumerable<GrainCall> To(string method) => Calls.Where(call => call.Method == method);

    public TGrainInterface GetGrain<TGrainInterface>(string primaryKey, string? grainClassNamePrefix = null)
        where TGrainInterface : IGrainWithStringKey => Proxy<TGrainInterface>(primaryKey);

    public TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey, string? grainClassNamePrefix = null)
        where TGrainInterface : IGrainWithGuidKey => Proxy<TGrainInterface>(primaryKey.ToString("N"));

    public TGrainInterface GetGrain<TGrainInterface>(long primaryKey, string? grainClassNamePrefix = null)
        where TGrainInterface : IGrainWithIntegerKey => Proxy<TGrainInterface>(primaryKey.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey, string keyExtension, string? grainClassNamePrefix = null)
        where TGrainInterface : IGrainWithGuidCompoundKey => throw new NotSupportedException();

    public TGrainInterface GetGrain<TGrainInterface>(long primaryKey, string keyExtension, string? grainClassNamePrefix = null)
        where TGrainInterface : IGrainWithIntegerCompoundKey => throw new NotSupportedException();

    public TGrainObserverInterface CreateObjectReference<TGrainObserverInterface>(IGrainObserver obj)
        where TGrainObserverInterface : IGrainObserver => throw new NotSupportedException();

    public void DeleteObjectReference<TGrainObserverInterface>(IGrainObserver obj)
        where TGrainObserverInterface : IGrainObserver => throw new NotSupportedException();

    public IGrain GetGrain(Type grainInterfaceType, Guid grainPrimaryKey) => throw new NotSupportedException();

    public IGrain GetGrain(Type grainInterfaceType, long grainPrimaryKey) => throw new NotSupportedException();

    public IGrain GetGrain(Type grainInterfaceType, string grainPrimaryKey) => throw new NotSupportedException();

    public IGrain GetGrain(Type grainInterfaceType, Guid grainPrimaryKey, string keyExtension) => throw new NotSupportedException();

    public IGrain GetGrain(Type grainInterfaceType, long grainPrimaryKey, string keyExtension) => throw new NotSupportedException();

    public IAddressable GetGrain(Type grainInterfaceType, IdSpan grainPrimaryKey) => throw new NotSupportedException();

    public IAddressable GetGrain(Type grainInterfaceType, IdSpan grainPrimaryKey, string keyExtension) => throw new NotSupportedException();

    public TGrainInterface GetGrain<TGrainInterface>(GrainId grainId)
        where TGrainInterface : IAddressable => throw new NotSupportedException();

    public IAddressable GetGrain(GrainId grainId) => throw new NotSupportedException();

    public IAddressable GetGrain(GrainId grainId, GrainInterfaceType interfaceType) => throw new NotSupportedException();

    private T Proxy<T>(string key)
    {
        var proxy = DispatchProxy.Create<T, GrainProxy>();
        var recorder = (GrainProxy)(object)proxy!;
        (recorder.Grains, recorder.Interface, recorder.Key) = (this, typeof(T), key);
        return proxy;
    }

    /// <summary>The generated stand-in for one grain reference.</summary>
    public class GrainProxy : DispatchProxy
    {
        internal RecordingGrains Grains { get; set; } = null!;

        internal Type Interface { get; set; } = null!;

        internal string Key { get; set; } = string.Empty;

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            var call = new GrainCall(Interface, Key, targetMethod.Name, args ?? []);
            Grains.Calls.Enqueue(call);
            var answer = Grains.Answer(call);
            var returns = targetMethod.ReturnType;
            if (returns == typeof(Task))
            {
                return answer is Exception failure ? Task.FromException(failure) : Task.CompletedTask;
            }

            if (returns.IsGenericType && returns.GetGenericTypeDefinition() == typeof(Task<>))
            {
                var result = returns.GetGenericArguments()[0];
                var method = typeof(GrainProxy).GetMethod(nameof(Completed), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(result);
                return method.Invoke(null, [answer]);
            }

            return null;
        }

        private static Task<TResult> Completed<TResult>(object? answer) =>
            answer is Exception failure ? Task.FromException<TResult>(failure) : Task.FromResult(answer is TResult typed ? typed : default!);
    }
}

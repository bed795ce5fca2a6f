namespace PrimeDirective.Grains.Interfaces.Keys;

/// <summary>
/// The key store cannot be reached and the subject's data key is not cached: nothing was read or stored. The caller
/// retries later (the gateway answers 503 with Retry-After, and the silo's <c>/health/ready</c> names the key store).
/// </summary>
[GenerateSerializer]
[Alias("PrimeDirective.KeyStoreUnavailableException")]
public sealed class KeyStoreUnavailableException : OrleansException
{
    /// <summary>Creates the exception; <paramref name="cause"/> is the type of the failure, never its message.</summary>
    public KeyStoreUnavailableException(string cause)
        : base($"The key store cannot be reached ({cause}); nothing was stored. Retry later.") => Cause = cause;

    /// <summary>For serializers.</summary>
    public KeyStoreUnavailableException()
    {
    }

    /// <summary>For serializers.</summary>
    public KeyStoreUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The type of the failure that made the key store unreachable.</summary>
    [Id(0)]
    public string? Cause { get; private set; }
}

using PrimeDirective.Grains.Sealing;

namespace PrimeDirective.SealingPassThrough;

/// <summary>
/// The sealer with its work taken out: "sealing" answers the plain bytes, "opening" answers what was stored, and no key
/// is fetched, created or cached. Everything around it runs as shipped (the state is still wrapped as <c>{"sealed":
/// base64}</c>, the report row still has its address column), so the bench measures the same path minus keys and crypto.
/// </summary>
internal sealed class PassThroughSealer(KeyStore store, KeyCache cache) : Sealer(store, cache)
{
    public override Task<byte[]> SealAsync(SealContext context, ReadOnlyMemory<byte> plain) => Task.FromResult(plain.ToArray());

    public override Task<byte[]> SealAsync(SealContext context, KeyEpoch epoch, ReadOnlyMemory<byte> plain) => Task.FromResult(plain.ToArray());

    public override Task<byte[]> SealUnderHoldAsync(SealContext context, string holdKeyName, ReadOnlyMemory<byte> plain) => Task.FromResult(plain.ToArray());

    public override Task<byte[]?> OpenAsync(SealContext context, ReadOnlyMemory<byte> sealedValue) => Task.FromResult<byte[]?>(sealedValue.ToArray());
}

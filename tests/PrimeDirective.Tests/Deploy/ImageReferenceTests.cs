namespace PrimeDirective.Tests.Deploy;

/// <summary>The manifest checks read image references as the distribution grammar does: a registry with its port, a tag, a digest.</summary>
public sealed class ImageReferenceTests
{
    [Theory]
    [InlineData("registry.example.org:5000/prime-directive/silo@sha256:5f1b0e5c3a6f4f1f9a0d3c2b7e8d9c0a1b2c3d4e5f60718293a4b5c6d7e8f901", "registry.example.org:5000", "prime-directive/silo", null, "sha256:5f1b0e5c3a6f4f1f9a0d3c2b7e8d9c0a1b2c3d4e5f60718293a4b5c6d7e8f901")]
    [InlineData("localhost:5000/silo:1.2@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "localhost:5000", "silo", "1.2", "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("prime-directive/gateway:latest", null, "prime-directive/gateway", "latest", null)]
    [InlineData("ghcr.io/org/team/gateway", "ghcr.io", "org/team/gateway", null, null)]
    public void Image_references_are_parsed_with_registry_port_tag_and_digest(string reference, string? registry, string repository, string? tag, string? digest)
    {
        Assert.Equal(new ImageReference(registry, repository, tag, digest), ImageReference.Parse(reference));
    }

    [Theory]
    [InlineData("prime-directive/silo@sha256:nothex")]
    [InlineData("Prime-Directive/silo")]
    [InlineData("registry.example.org:5000/silo:bad tag")]
    public void A_malformed_image_reference_is_refused(string reference)
    {
        Assert.Throws<FormatException>(() => ImageReference.Parse(reference));
    }
}

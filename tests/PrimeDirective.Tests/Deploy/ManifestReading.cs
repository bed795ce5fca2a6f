using System.Globalization;
using k8s.Models;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace PrimeDirective.Tests.Deploy;

/// <summary>How the checks read rendered manifests: selectors, configuration as the process sees it, Pod Security rules.</summary>
public static class ManifestReading
{
    /// <summary>Volume types the "restricted" Pod Security Standard allows.</summary>
    private static readonly string[] s_restrictedVolumes = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];

    public static bool Matches(V1LabelSelector? selector, IDictionary<string, string>? labels)
    {
        labels ??= new Dictionary<string, string>();
        if (selector is null)
        {
            return false;
        }

        if ((selector.MatchLabels ?? new Dictionary<string, string>()).Any(label => !labels.TryGetValue(label.Key, out var value) || value != label.Value))
        {
            return false;
        }

        return (selector.MatchExpressions ?? []).All(requirement => requirement.OperatorProperty switch
        {
            "In" => labels.TryGetValue(requirement.Key, out var value) && requirement.Values.Contains(value),
            "NotIn" => !labels.TryGetValue(requirement.Key, out var value) || !requirement.Values.Contains(value),
            "Exists" => labels.ContainsKey(requirement.Key),
            "DoesNotExist" => !labels.ContainsKey(requirement.Key),
            _ => throw new InvalidOperationException($"Unknown selector operator {requirement.OperatorProperty}"),
        });
    }

    public static IEnumerable<V1Probe> Probes(V1Container container) =>
        new[] { container.LivenessProbe, container.ReadinessProbe, container.StartupProbe }.OfType<V1Probe>();

    /// <summary>A container port by name or number.</summary>
    public static V1ContainerPort? Port(Workload workload, IntOrString? port) =>
        port is null ? null : workload.Container.Ports?.SingleOrDefault(declared => declared.Name == port.Value || declared.ContainerPort.ToString(CultureInfo.InvariantCulture) == port.Value);

    /// <summary>The one secret mounted at <paramref name="path"/>, or null (nothing, or several projected there).</summary>
    public static string? SecretMountedAt(Workload workload, string path) =>
        SecretsMountedAt(workload, path) is [var single] ? single : null;

    /// <summary>The secrets whose files are at <paramref name="path"/>: a secret volume's, or each secret a projected volume combines.</summary>
    public static IReadOnlyList<string> SecretsMountedAt(Workload workload, string path)
    {
        var mount = workload.Container.VolumeMounts?.SingleOrDefault(mount => mount.MountPath == path);
        var volume = mount is null ? null : workload.Pod.Volumes?.SingleOrDefault(volume => volume.Name == mount.Name);
        return volume is null ? [] : SecretsOf(volume);
    }

    /// <summary>The secrets a volume mounts: its secret, or the secrets among its projected sources.</summary>
    public static IReadOnlyList<string> SecretsOf(V1Volume volume) =>
        volume.Secret is { } secret ? [secret.SecretName]
        : volume.Projected is { } projected ? [.. projected.Sources.Select(source => source.Secret?.Name).OfType<string>()]
        : [];

    /// <summary>The file mode of a secret or projected volume's files.</summary>
    public static int? DefaultMode(V1Volume volume) => volume.Secret?.DefaultMode ?? volume.Projected?.DefaultMode;

    /// <summary>
    /// A workload's configuration as its process reads it: literal environment (<c>__</c> is <c>:</c>, <c>DOTNET_</c>
    /// prefix dropped as the host does) and the files of the secrets mounted at <c>Secrets__Directory</c> (their names
    /// the example secrets list; each file a key).
    /// </summary>
    public static Dictionary<string, string?> ConfigurationValues(Workload workload, RegionManifests overlay)
    {
        var values = ConfigurationValues(workload.Env);
        var secrets = workload.Literal("Secrets__Directory") is { } directory ? SecretsMountedAt(workload, directory) : [];
        foreach (var secret in overlay.ExampleSecrets.Where(secret => secrets.Contains(secret.Metadata.Name)))
        {
            foreach (var (key, value) in secret.StringData)
            {
                values[key.Replace("__", ":", StringComparison.Ordinal)] = value;
            }
        }

        return values;
    }

    public static Dictionary<string, string?> ConfigurationValues(IEnumerable<V1EnvVar> environment)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var env in environment.Where(env => env.Value is not null))
        {
            values[env.Name.Replace("__", ":", StringComparison.Ordinal)] = env.Value;
            if (env.Name.StartsWith("DOTNET_", StringComparison.OrdinalIgnoreCase))
            {
                values[env.Name["DOTNET_".Length..].Replace("__", ":", StringComparison.Ordinal)] = env.Value;
            }
        }

        return values;
    }

    public static IConfiguration Configuration(IDictionary<string, string?> values) => new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    /// <summary>The host's shutdown timeout as the generic host binds it from configuration.</summary>
    public static TimeSpan ShutdownTimeout(Dictionary<string, string?> values)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(values);
        using var host = builder.Build();
        return host.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout;
    }

    /// <summary>Why a pod would be refused under the "restricted" Pod Security Standard, or by our own stricter rules.</summary>
    public static IEnumerable<string> RestrictedViolations(Workload workload)
    {
        var pod = workload.Pod;
        var podSecurity = pod.SecurityContext ?? new V1PodSecurityContext();
        if (pod.HostNetwork == true || pod.HostPID == true || pod.HostIPC == true)
        {
            yield return "shares a host namespace";
        }

        foreach (var volume in pod.Volumes ?? [])
        {
            var types = typeof(V1Volume).GetProperties().Where(property => property.Name != nameof(V1Volume.Name) && property.GetValue(volume) is not null)
                .Select(property => char.ToLowerInvariant(property.Name[0]) + property.Name[1..]).ToList();
            if (types.Any(type => !s_restrictedVolumes.Contains(type, StringComparer.Ordinal)))
            {
                yield return $"volume {volume.Name} is of a type restricted forbids ({string.Join(',', types)})";
            }
        }

        if (podSecurity.Sysctls is { Count: > 0 })
        {
            yield return "sets sysctls";
        }

        if (pod.AutomountServiceAccountToken != false)
        {
            yield return "mounts a service account token";
        }

        if (string.IsNullOrEmpty(pod.ServiceAccountName) || pod.ServiceAccountName == "default")
        {
            yield return "runs as the namespace's default service account";
        }

        foreach (var container in pod.Containers.Concat(pod.InitContainers ?? []))
        {
            var security = container.SecurityContext ?? new V1SecurityContext();
            if (security.Privileged == true)
            {
                yield return $"{container.Name} is privileged";
            }

            if (security.AllowPrivilegeEscalation != false)
            {
                yield return $"{container.Name} may escalate privileges";
            }

            if (!(security.RunAsNonRoot ?? podSecurity.RunAsNonRoot ?? false))
            {
                yield return $"{container.Name} may run as root";
            }

            if ((security.RunAsUser ?? podSecurity.RunAsUser) == 0)
            {
                yield return $"{container.Name} runs as user 0";
            }

            var seccomp = security.SeccompProfile?.Type ?? podSecurity.SeccompProfile?.Type;
            if (seccomp is not ("RuntimeDefault" or "Localhost"))
            {
                yield return $"{container.Name} has no RuntimeDefault or Localhost seccomp profile";
            }

            if (security.Capabilities?.Drop?.Contains("ALL") != true)
            {
                yield return $"{container.Name} does not drop every capability";
            }

            if ((security.Capabilities?.Add ?? []).Any(capability => capability != "NET_BIND_SERVICE"))
            {
                yield return $"{container.Name} adds a capability";
            }

            if ((container.Ports ?? []).Any(port => port.HostPort is not null and not 0))
            {
                yield return $"{container.Name} uses a host port";
            }

            if (security.ReadOnlyRootFilesystem != true)
            {
                yield return $"{container.Name} may write its root filesystem";
            }
        }
    }
}

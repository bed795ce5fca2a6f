namespace PrimeDirective.Grains.Outbox;

/// <summary>The SMTP relay the outbox submits to (configuration section <c>Outbox:Smtp</c>).</summary>
public sealed class SmtpSettings
{
    /// <summary>Host name of the relay; unset means messages are written to files instead.</summary>
    public string? Host { get; set; }

    /// <summary>Port of the relay (submission port by default).</summary>
    public int Port { get; set; } = 587;

    /// <summary>User to authenticate as; unset means no authentication.</summary>
    public string? UserName { get; set; }

    /// <summary>Password of <see cref="UserName"/>.</summary>
    public string? Password { get; set; }

    /// <summary>Require STARTTLS; when false the connection is not encrypted.</summary>
    public bool UseStartTls { get; set; } = true;
}

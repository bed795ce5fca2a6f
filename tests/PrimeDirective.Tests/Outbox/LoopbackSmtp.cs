using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MimeKit;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Outbox;

/// <summary>
/// A minimal SMTP server on loopback, enough for MailKit without TLS: it keeps every message it accepts. While down it
/// still holds its port (so nothing else can take it) but answers every connection with 421 and hangs up.
/// </summary>
public sealed class LoopbackSmtp : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentQueue<MimeMessage> _messages = new();
    private readonly Task _accepting;
    private volatile bool _up;
    private int _refused;

    public LoopbackSmtp(bool up)
    {
        _up = up;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync(_stopping.Token);
    }

    public int Port { get; }

    /// <summary>Whether sessions are served; set false to take the server down, true to bring it back.</summary>
    public bool Up
    {
        get => _up;
        set => _up = value;
    }

    /// <summary>Connections turned away with 421 so far.</summary>
    public int Refused => Volatile.Read(ref _refused);

    /// <summary>Every message accepted for <paramref name="address"/>, oldest first.</summary>
    public IReadOnlyList<MimeMessage> MessagesTo(string address) =>
        [.. _messages.Where(message => message.To.Mailboxes.Any(mailbox => string.Equals(mailbox.Address, address, StringComparison.OrdinalIgnoreCase)))];

    /// <summary>Waits until <paramref name="address"/> has received more than <paramref name="seen"/> messages; returns the newest.</summary>
    public async Task<MimeMessage> NextMessageAsync(string address, int seen, TimeSpan deadline)
    {
        var messages = await Eventually.ReturnsAsync(
            () => Task.FromResult(MessagesTo(address)), all => all.Count > seen, deadline, $"message #{seen + 1} over SMTP");
        return messages[^1];
    }

    /// <summary>The one-time code of the newest message once more than <paramref name="seen"/> reached the address.</summary>
    public async Task<string> NextCodeAsync(string address, int seen = 0, TimeSpan? deadline = null) =>
        TestOutbox.CodeIn(await NextMessageAsync(address, seen, deadline ?? TimeSpan.FromSeconds(30)));

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stopping.Dispose();
        foreach (var message in _messages)
        {
            message.Dispose();
        }
    }

    private async Task AcceptAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(stopping);
            _ = ServeAsync(client, stopping);
        }
    }

    private async Task ServeAsync(TcpClient client, CancellationToken stopping)
    {
        using (client)
        {
            try
            {
                await SpeakAsync(client.GetStream(), stopping);
            }
            catch (Exception exception) when (exception is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The client hung up, or the server stops.
            }
        }
    }

    private async Task SpeakAsync(NetworkStream stream, CancellationToken stopping)
    {
        using var reader = new StreamReader(stream, Encoding.Latin1, leaveOpen: true);
        await using var writer = new StreamWriter(stream, Encoding.Latin1, leaveOpen: true) { NewLine = "\r\n", AutoFlush = true };
        if (!_up)
        {
            Interlocked.Increment(ref _refused);
            await writer.WriteLineAsync("421 4.3.2 Service not available, try again later");
            return;
        }

        await writer.WriteLineAsync("220 localhost ESMTP loopback");
        while (await reader.ReadLineAsync(stopping) is { } line)
        {
            var verb = line.Split(' ', 2)[0].ToUpperInvariant();
            switch (verb)
            {
                case "EHLO" or "HELO":
                    await writer.WriteLineAsync("250 localhost");
                    break;
                case "MAIL" or "RCPT" or "RSET" or "NOOP":
                    await writer.WriteLineAsync("250 2.0.0 OK");
                    break;
                case "DATA":
                    await writer.WriteLineAsync("354 End data with <CR><LF>.<CR><LF>");
                    _messages.Enqueue(await ReadDataAsync(reader, stopping));
                    await writer.WriteLineAsync("250 2.0.0 Queued");
                    break;
                case "QUIT":
                    await writer.WriteLineAsync("221 2.0.0 Bye");
                    return;
                default:
                    await writer.WriteLineAsync("502 5.5.2 Command not recognised");
                    break;
            }
        }
    }

    private static async Task<MimeMessage> ReadDataAsync(StreamReader reader, CancellationToken stopping)
    {
        var data = new StringBuilder();
        while (await reader.ReadLineAsync(stopping) is { } line && line != ".")
        {
            // Dot-stuffing: a leading dot was doubled by the client.
            data.Append(line.StartsWith("..", StringComparison.Ordinal) ? line[1..] : line).Append("\r\n");
        }

        using var content = new MemoryStream(Encoding.Latin1.GetBytes(data.ToString()));
        return await MimeMessage.LoadAsync(content, stopping);
    }
}

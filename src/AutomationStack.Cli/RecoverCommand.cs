using System.Globalization;
using AutomationStack.Mcap;

namespace AutomationStack.Cli;

/// <summary>
/// <c>recover &lt;log&gt; [--out FILE]</c>: rebuilds a readable, indexed MCAP from a truncated or damaged log (for example
/// the <c>run.mcap.partial</c> a killed run leaves behind), keeping everything up to the last complete record
/// (<see cref="McapRecovery"/>). Writes FILE (default: the input name with <c>.recovered.mcap</c>) through a temporary
/// file, validates it, prints what was kept. Exit 0 written; 2 not an MCAP file or missing (named); 3 cannot write.
/// </summary>
public static class RecoverCommand
{
    public static async Task<int> ExecuteAsync(string input, string? output, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (!File.Exists(input))
        {
            await stderr.WriteLineAsync($"error: {input}: no such file").ConfigureAwait(false);
            return ExitCodes.BadInput;
        }

        var target = Path.GetFullPath(output ?? DefaultOutput(input));
        if (string.Equals(target, Path.GetFullPath(input), StringComparison.Ordinal))
        {
            await stderr.WriteLineAsync($"error: --out {output}: would overwrite the input").ConfigureAwait(false);
            return ExitCodes.BadInput;
        }

        var temporary = target + ".tmp";
        McapRecoveryResult result;
        try
        {
            await using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            {
                result = McapRecovery.Recover(input, stream);
            }

            using (var check = McapReader.Open(temporary))
            {
                check.Validate();
            }

            File.Move(temporary, target, overwrite: true);
        }
        catch (McapFormatException ex)
        {
            File.Delete(temporary);
            await stderr.WriteLineAsync($"error: {input}: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.BadInput;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            File.Delete(temporary);
            await stderr.WriteLineAsync($"error: {target}: cannot write: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.RunError;
        }

        var inv = CultureInfo.InvariantCulture;
        await stdout.WriteLineAsync(string.Create(inv,
            $"recovered {result.Messages} messages ({result.Chunks} chunks, {result.Channels} channels, {result.Schemas} schemas, {result.Metadata} metadata) up to log time {result.LastMessageTime / 1e9:F3} s; {result.GoodBytes} of {result.InputBytes} bytes read; stopped: {result.StopReason}")).ConfigureAwait(false);
        await stdout.WriteLineAsync($"wrote {target}").ConfigureAwait(false);
        return ExitCodes.Passed;
    }

    private static string DefaultOutput(string input)
    {
        var name = input.EndsWith(".partial", StringComparison.Ordinal) ? input[..^".partial".Length] : input;
        return (name.EndsWith(".mcap", StringComparison.Ordinal) ? name[..^".mcap".Length] : name) + ".recovered.mcap";
    }
}

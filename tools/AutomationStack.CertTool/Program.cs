using AutomationStack.CertTool;

return CertToolCommand.Run(args, Console.Out, Console.Error, () => DateTimeOffset.UtcNow);

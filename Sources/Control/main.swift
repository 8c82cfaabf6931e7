import MimirControl

ControlCommand.main()

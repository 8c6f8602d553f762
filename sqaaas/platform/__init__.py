"""The machine sqaaas runs on: the container engine, the images it builds, provisioning
(`sqaaas setup`), and the clean-up of what an interrupted run left behind."""

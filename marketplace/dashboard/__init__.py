"""The signed-in landing page: what each person needs to do now."""

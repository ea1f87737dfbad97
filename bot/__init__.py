"""The application: routes an Incoming to the dialogue (and, later, to commands), runs the
idea process and decides who hears what. Knows no chat SDK."""

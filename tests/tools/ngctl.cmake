# placeholder: ngctl tests (issue #11), being written

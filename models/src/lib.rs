//! edgekd-models: burn modules for the teacher, the student and the losses.
